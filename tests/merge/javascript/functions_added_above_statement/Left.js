import express from "express";

const app = express();

function health(req, res) {
  res.json({ ok: true });
}

function version(req, res) {
  res.json({ version: process.env.APP_VERSION ?? "dev" });
}

app.get("/health", health);

export default app;
