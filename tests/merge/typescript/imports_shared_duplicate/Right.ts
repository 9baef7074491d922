import { z } from "zod";
import type { Request, Response } from "express";
import { log } from "./log";
import { metrics } from "./metrics";

const Body = z.object({ name: z.string(), email: z.string().email() });

export function createUser(req: Request, res: Response): void {
  const parsed = Body.safeParse(req.body);
  if (!parsed.success) {
    metrics.increment("users.invalid");
    res.status(400).json(parsed.error.flatten());
    return;
  }
  res.status(201).json(parsed.data);
}
