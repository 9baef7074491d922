import React from "react";
import { Avatar } from "./Avatar";

export function UserCard({ name, avatarUrl }: { name: string; avatarUrl: string }) {
  return (
    <div className="user-card">
      <Avatar src={avatarUrl} />
      <h3>{name}</h3>
    </div>
  );
}
