import express from "express";

const app = express();

function health(req, res) {
  res.json({ ok: true });
}

app.get("/health", health);

export default app;
