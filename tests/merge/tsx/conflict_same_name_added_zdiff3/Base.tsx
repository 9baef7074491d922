import React from "react";

// Loading indicators.

export function Dots() {
  return <span className="dots">…</span>;
}

export function Spinner() {
  return <div className="spinner" aria-busy="true" />;
}
