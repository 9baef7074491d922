import React from "react";

export function Title({ text }: { text: string }) {
  return <h1 className="title">{text}</h1>;
}

export function Subtitle({ text }: { text: string }) {
  return <h2 className="subtitle">{text}</h2>;
}

export function Caption({ text }: { text: string }) {
  return <p className="caption">{text}</p>;
}
