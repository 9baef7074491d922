import React from "react";

export function Price({ cents }: { cents: number }) {
  return <span className="price">{(cents / 100).toFixed(2)}</span>;
}

export function ProductCard({ name, cents }: { name: string; cents: number }) {
  return (
    <div className="card">
      <h3>{name}</h3>
      <Price cents={cents} />
    </div>
  );
}
