import React from "react";

type ButtonProps = { label: string; onClick: () => void };

export function Button({ label, onClick }: ButtonProps) {
  return (
    <button type="button" className="btn" onClick={onClick}>
      {label}
    </button>
  );
}
