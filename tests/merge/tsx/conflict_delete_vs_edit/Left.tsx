import React from "react";

// Banners shown above the page header.

export function Banner({ text }: { text: string }) {
  return <div className="banner">{text}</div>;
}
