import React from "react";

export function Header({ title }: { title: string }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
    </header>
  );
}

export function Footer({ year }: { year: number }) {
  return <footer className="page-footer">© {year}</footer>;
}
