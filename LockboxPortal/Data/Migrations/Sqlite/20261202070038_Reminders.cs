using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Reminders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Policy_RemindApprovers",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                // Tenants that exist already get the policy's default: reminders on.
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "RequestReminders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DueAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DoneAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestReminders", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RequestReminders_DoneAt_DueAt",
                table: "RequestReminders",
                columns: new[] { "DoneAt", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RequestReminders_RequestId",
                table: "RequestReminders",
                column: "RequestId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RequestReminders");

            migrationBuilder.DropColumn(
                name: "Policy_RemindApprovers",
                table: "Tenants");
        }
    }
}
