import React from "react";
import { useQuery } from "./api";
import { Badge } from "./Badge";

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

export function UserCount() {
  const users = useQuery<string[]>("/users");
  return <Badge>{users?.length ?? 0}</Badge>;
}
