using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Escalation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<TimeSpan>(
                name: "Policy_EscalateAfter",
                table: "Tenants",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EscalatedAt",
                table: "AccessRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EscalatesAt",
                table: "AccessRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "EscalationListEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    AddedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EscalationListEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EscalationListEntries_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EscalationListEntries_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessRequests_Status_EscalatesAt",
                table: "AccessRequests",
                columns: new[] { "Status", "EscalatesAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EscalationListEntries_TenantId_UserId",
                table: "EscalationListEntries",
                columns: new[] { "TenantId", "UserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EscalationListEntries_UserId",
                table: "EscalationListEntries",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EscalationListEntries");

            migrationBuilder.DropIndex(
                name: "IX_AccessRequests_Status_EscalatesAt",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "Policy_EscalateAfter",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "EscalatedAt",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "EscalatesAt",
                table: "AccessRequests");
        }
    }
}
