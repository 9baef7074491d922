import React from "react";

// Loading indicators.

export function Dots() {
  return <span className="dots">…</span>;
}

export function Spinner() {
  return <div className="spinner" aria-busy="true" />;
}

export function Loading({ text }: { text: string }) {
  return (
    <div className="loading" role="status">
      <Spinner />
      <span className="sr-only">{text}</span>
    </div>
  );
}
