import React from "react";

// Alerts: info messages are polite, errors interrupt.

export function Alert({ kind, children }: { kind: "info" | "error"; children: React.ReactNode }) {
  return (
    <div role="alert" className={`alert alert-${kind}`}>
      {children}
    </div>
  );
}
