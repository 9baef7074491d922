import React from "react";

export function Save({ onSave }: { onSave: () => void }) {
  return (
<<<<<<< ours
    <button type="button" onClick={onSave} disabled={false}>
=======
    <button type="button" className="primary" onClick={onSave}>
>>>>>>> theirs
      Save
    </button>
  );
}
