using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Delegations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Delegations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DelegatorId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    DelegatorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DelegateId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    DelegateName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    StartsAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RevokedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    RevokedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    EndRecordedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Delegations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Delegations_AspNetUsers_DelegateId",
                        column: x => x.DelegateId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Delegations_AspNetUsers_DelegatorId",
                        column: x => x.DelegatorId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Delegations_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Delegations_DelegateId",
                table: "Delegations",
                column: "DelegateId");

            migrationBuilder.CreateIndex(
                name: "IX_Delegations_DelegatorId",
                table: "Delegations",
                column: "DelegatorId");

            migrationBuilder.CreateIndex(
                name: "IX_Delegations_EndRecordedAt_EndsAt",
                table: "Delegations",
                columns: new[] { "EndRecordedAt", "EndsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Delegations_TenantId_DelegateId_EndsAt",
                table: "Delegations",
                columns: new[] { "TenantId", "DelegateId", "EndsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Delegations_TenantId_DelegatorId_EndsAt",
                table: "Delegations",
                columns: new[] { "TenantId", "DelegatorId", "EndsAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Delegations");
        }
    }
}
