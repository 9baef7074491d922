import React from "react";

type ButtonProps = { label: string; onClick: () => void };

export function Button({ label, onClick }: ButtonProps) {
  return (
    <button type="button" className="btn" onClick={onClick}>
      {label}
    </button>
  );
}

export function IconButton({ icon, ...rest }: ButtonProps & { icon: string }) {
  return (
    <span className="icon-button">
      <i className={`icon icon-${icon}`} />
      <Button {...rest} />
    </span>
  );
}
