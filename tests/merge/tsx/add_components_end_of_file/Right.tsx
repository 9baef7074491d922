import React from "react";

type ButtonProps = { label: string; onClick: () => void };

export function Button({ label, onClick }: ButtonProps) {
  return (
    <button type="button" className="btn" onClick={onClick}>
      {label}
    </button>
  );
}

export function LinkButton({ label, href }: { label: string; href: string }) {
  return (
    <a className="btn btn-link" href={href}>
      {label}
    </a>
  );
}
