// Builds the migrated template database once per run (filled in with the database layer).
export default function setup(): void {
  // nothing yet
}
