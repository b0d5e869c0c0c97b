using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Postgres
{
    /// <summary>
    /// Passkey-signed decisions are append-only like the trail that records them (DESIGN.md rule 8), with the same
    /// refusing function as the trail's: row triggers for UPDATE and DELETE, a statement trigger for TRUNCATE.
    /// `audit verify` catches what gets past this (a superuser dropping the triggers).
    /// </summary>
    public partial class AppendOnlySignedDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TRIGGER "SignedDecisions_NoUpdate" BEFORE UPDATE ON "SignedDecisions"
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "SignedDecisions_NoDelete" BEFORE DELETE ON "SignedDecisions"
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "SignedDecisions_NoTruncate" BEFORE TRUNCATE ON "SignedDecisions"
                FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"SignedDecisions_NoUpdate\" ON \"SignedDecisions\";");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"SignedDecisions_NoDelete\" ON \"SignedDecisions\";");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"SignedDecisions_NoTruncate\" ON \"SignedDecisions\";");
        }
    }
}
