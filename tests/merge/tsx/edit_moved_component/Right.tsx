function Row({ label, value }: { label: string; value: string }) {
  return (
    <tr className="row">
      <th scope="row">{label}</th>
      <td>{value || "—"}</td>
    </tr>
  );
}

export function Details({ data }: { data: Record<string, string> }) {
  return (
    <table>
      <tbody>
        {Object.entries(data).map(([k, v]) => (
          <Row key={k} label={k} value={v} />
        ))}
      </tbody>
    </table>
  );
}
