import express from "express";
import { logger } from "./log.js";

const app = express();

app.get("/health", (req, res) => {
  res.json({ ok: true });
});

export function start(port) {
  return app.listen(port, () => logger.info(`listening on ${port}`));
}
