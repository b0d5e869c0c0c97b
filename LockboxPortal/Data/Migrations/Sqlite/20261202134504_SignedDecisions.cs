using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SignedDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SignedDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccessRequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DeciderId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    SignedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CredentialId = table.Column<string>(type: "TEXT", maxLength: 1400, nullable: false),
                    AuthenticatorData = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: false),
                    ClientDataJson = table.Column<string>(type: "TEXT", maxLength: 8192, nullable: false),
                    Signature = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    PublicKey = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Algorithm = table.Column<int>(type: "INTEGER", nullable: false),
                    RpId = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignedDecisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SignedDecisions_AccessRequests_AccessRequestId",
                        column: x => x.AccessRequestId,
                        principalTable: "AccessRequests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SignedDecisions_AccessRequestId",
                table: "SignedDecisions",
                column: "AccessRequestId");

            migrationBuilder.CreateIndex(
                name: "IX_SignedDecisions_Signature",
                table: "SignedDecisions",
                column: "Signature",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SignedDecisions");
        }
    }
}
