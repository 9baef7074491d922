import React from "react";
import { useQuery } from "./api";
import { Badge } from "./Badge";
import { Link } from "react-router-dom";

export function UserList() {
  const users = useQuery<string[]>("/users");
  if (!users) return <p>Loading…</p>;
  return (
    <ul>
      {users.map((u) => (
        <li key={u}>
          <UserLink name={u} />
        </li>
      ))}
    </ul>
  );
}

export function UserCount() {
  const users = useQuery<string[]>("/users");
  return <Badge>{users?.length ?? 0}</Badge>;
}

export function UserLink({ name }: { name: string }) {
  return <Link to={`/users/${encodeURIComponent(name)}`}>{name}</Link>;
}
