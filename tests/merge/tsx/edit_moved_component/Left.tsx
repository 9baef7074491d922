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

function Row({ label, value }: { label: string; value: string }) {
  return (
    <tr>
      <th>{label}</th>
      <td>{value}</td>
    </tr>
  );
}
