import React from "react";

// Banners shown above the page header.

export function OldBanner({ text }: { text: string }) {
  return <marquee>{text}</marquee>;
}

export function Banner({ text }: { text: string }) {
  return <div className="banner">{text}</div>;
}
