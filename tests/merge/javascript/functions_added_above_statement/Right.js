import express from "express";

const app = express();

function health(req, res) {
  res.json({ ok: true });
}

function notFound(req, res) {
  res.status(404).json({ error: "not found" });
}

app.get("/health", health);

export default app;
