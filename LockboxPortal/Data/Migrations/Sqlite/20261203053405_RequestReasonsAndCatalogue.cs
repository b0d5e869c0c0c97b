using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RequestReasonsAndCatalogue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Policy_RefusedReasons",
                table: "Tenants",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "Policy_RequireCatalogue",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Policy_StricterReasons",
                table: "Tenants",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Policy_StricterRequiredApprovals",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 2);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "AccessRequests",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ScopeCatalogueEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Pattern = table.Column<string>(type: "TEXT", maxLength: 402, nullable: false),
                    MaxAccessLevel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    MaxDuration = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    AddedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScopeCatalogueEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScopeCatalogueEntries_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ScopeCatalogueEntries_TenantId_Pattern",
                table: "ScopeCatalogueEntries",
                columns: new[] { "TenantId", "Pattern" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ScopeCatalogueEntries");

            migrationBuilder.DropColumn(
                name: "Policy_RefusedReasons",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Policy_RequireCatalogue",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Policy_StricterReasons",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Policy_StricterRequiredApprovals",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "AccessRequests");
        }
    }
}
