import React from "react";
import { useQuery } from "./api";

export function UserList() {
  const users = useQuery<string[]>("/users");
  if (!users) return <p>Loading…</p>;
  return (
    <ul>
      {users.map((u) => (
        <li key={u}>{u}</li>
      ))}
    </ul>
  );
}
