import React from "react";
import { Avatar } from "./Avatar";
import { Badge } from "./Badge";
import styles from "./UserCard.module.css";

export function UserCard({ name, avatarUrl }: { name: string; avatarUrl: string }) {
  return (
    <div className={styles.card}>
      <Avatar src={avatarUrl} />
      <h3>{name}</h3>
    </div>
  );
}
