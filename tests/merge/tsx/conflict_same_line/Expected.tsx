import React from "react";

// Alerts: info messages are polite, errors interrupt.

export function Alert({ kind, children }: { kind: "info" | "error"; children: React.ReactNode }) {
  return (
<<<<<<< ours
    <div role={kind === "error" ? "alert" : "status"} className={`alert alert-${kind}`}>
=======
    <div role="alert" aria-live="polite" className={`alert alert-${kind}`}>
>>>>>>> theirs
      {children}
    </div>
  );
}
