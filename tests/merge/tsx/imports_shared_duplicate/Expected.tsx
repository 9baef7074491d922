import React from "react";
import { Avatar } from "./Avatar";
import { Badge } from "./Badge";
import styles from "./UserCard.module.css";
import { Tooltip } from "./Tooltip";

export function UserCard({ name, avatarUrl }: { name: string; avatarUrl: string }) {
  return (
    <div className={styles.card}>
      <Avatar src={avatarUrl} />
      <Tooltip text={name}>
        <h3 className={styles.name}>{name}</h3>
      </Tooltip>
    </div>
  );
}
