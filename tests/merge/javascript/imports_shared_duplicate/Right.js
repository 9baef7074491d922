import express from "express";
import { logger } from "./log.js";
import helmet from "helmet";
import compression from "compression";

const app = express();

app.get("/health", (req, res) => {
  res.json({ ok: true });
});

export function start(port) {
  app.use(helmet());
  app.use(compression());
  return app.listen(port, () => logger.info(`listening on ${port}`));
}
