import React from "react";

export function Save({ onSave }: { onSave: () => void }) {
  return (
    <button type="button" className="primary" onClick={onSave}>
      Save
    </button>
  );
}
