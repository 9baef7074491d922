import React from "react";

export function Save({ onSave }: { onSave: () => void }) {
  return (
    <button type="button" onClick={onSave}>
      Save
    </button>
  );
}
