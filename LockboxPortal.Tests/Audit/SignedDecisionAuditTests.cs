using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Signing;
using LockboxPortal.Tests.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>
/// <c>audit verify</c> checks every passkey-signed decision against the request as the database holds it and the key
/// the trail recorded: someone who writes the SQLite file directly (past the portal, past the audit triggers) and
/// lengthens a signed grant, invents a signed decision or removes one, is named; the untouched trail verifies.
/// </summary>
public sealed class SignedDecisionAuditTests
{
    private static async Task<(ServiceHarness Harness, SoftwarePasskey Passkey, AccessRequest Approved)> SignedApprovalAsync()
    {
        var harness = await ServiceHarness.CreateSqliteAsync();
        var passkey = new SoftwarePasskey();
        await PasskeySignedDecisionTests.ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        return (harness, passkey, await PasskeySignedDecisionTests.ApproveWithPasskeyAsync(harness, passkey, pending.Id));
    }

    /// <summary>A write to the file itself, as someone with the database and a SQLite shell would make it.</summary>
    private static async Task EditFileAsync(ServiceHarness harness, string sql, string reference)
    {
        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={harness.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$reference", reference);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task Verify_ASignedDecisionWhoseGrantedDurationWasEditedInTheFile_ExitsOneNamingIt_TheUneditedTrailVerifies()
    {
        var (harness, passkey, approved) = await SignedApprovalAsync();
        await using var _h = harness;
        using var _p = passkey;

        var before = await AuditCommandTests.RunAsync(harness, "audit", "verify");
        Assert.Equal(0, before.ExitCode);
        Assert.Contains("contoso: intact", before.Output, StringComparison.Ordinal);
        Assert.Contains("1 signed decisions verify", before.Output, StringComparison.Ordinal);

        await EditFileAsync(harness, "UPDATE \"AccessRequests\" SET \"RequestedDuration\" = '08:00:00' WHERE \"Reference\" = $reference", approved.Reference);
        var after = await AuditCommandTests.RunAsync(harness, "audit", "verify");

        Assert.Equal(1, after.ExitCode);
        var contoso = after.Output.Split('\n').Single(l => l.StartsWith("contoso:", StringComparison.Ordinal));
        Assert.Contains("1 of 1 signed decisions fail", contoso, StringComparison.Ordinal);
        Assert.Contains($"{approved.Reference} approve by {Cast.Approver1}", contoso, StringComparison.Ordinal);
        Assert.Contains("the challenge signed is not this decision's", contoso, StringComparison.Ordinal);

        // The hash chain alone says nothing: the edit was to the request, not to the trail.
        Assert.Contains("contoso: intact", contoso, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAuditPagesVerify_NamesTheEditedSignedDecision_TooAndRecordsIt()
    {
        var (harness, passkey, approved) = await SignedApprovalAsync();
        await using var _h = harness;
        using var _p = passkey;
        var audit = harness.Services.GetRequiredService<LockboxPortal.Features.Audit.AuditService>();
        var officer = ServiceHarness.As(Cast.ContosoOfficer);
        Assert.True((await audit.VerifyAsync(officer, harness.Contoso)).IsIntact);

        await EditFileAsync(harness, "UPDATE \"AccessRequests\" SET \"RequestedDuration\" = '08:00:00' WHERE \"Reference\" = $reference", approved.Reference);
        var result = await audit.VerifyAsync(officer, harness.Contoso);

        Assert.False(result.IsIntact);
        Assert.Null(result.Break);
        Assert.Contains($"{approved.Reference} approve by {Cast.Approver1}", result.ToString(), StringComparison.Ordinal);
        var recorded = (await harness.AuditAsync()).Last(e => e.EventType == LockboxPortal.Features.Audit.AuditEventType.Audit_Verified);
        Assert.Contains(approved.Reference, recorded.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AGrantEndMovedPastTheSignedDuration_IsNamed()
    {
        var (harness, passkey, approved) = await SignedApprovalAsync();
        await using var _h = harness;
        using var _p = passkey;

        await EditFileAsync(harness, "UPDATE \"AccessRequests\" SET \"GrantEndsAt\" = '2026-03-03 09:00:00' WHERE \"Reference\" = $reference", approved.Reference);
        var (exitCode, output, _) = await AuditCommandTests.RunAsync(harness, "audit", "verify", "--tenant", "contoso");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{approved.Reference} approve by {Cast.Approver1}: the grant lasts", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ASignedDecisionRemovedFromTheFile_IsNamed()
    {
        var (harness, passkey, approved) = await SignedApprovalAsync();
        await using var _h = harness;
        using var _p = passkey;

        // Someone with the file drops the guard first; verify is what catches them then.
        await EditFileAsync(harness,
            "DROP TRIGGER SignedDecisions_NoDelete; DELETE FROM \"SignedDecisions\" WHERE \"AccessRequestId\" IN (SELECT \"Id\" FROM \"AccessRequests\" WHERE \"Reference\" = $reference)", approved.Reference);
        var (exitCode, output, _) = await AuditCommandTests.RunAsync(harness, "audit", "verify", "--tenant", "contoso");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{approved.Reference} approve by {Cast.Approver1}: the trail records this signed decision, the database no longer holds it", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDatabase_RefusesToChangeOrRemoveASignedDecision()
    {
        // On either database (the other tests here edit the SQLite file itself).
        await using var harness = await ServiceHarness.CreateAsync();
        using var passkey = new SoftwarePasskey();
        await PasskeySignedDecisionTests.ArrangeAsync(harness, passkey);
        await PasskeySignedDecisionTests.ApproveWithPasskeyAsync(harness, passkey, (await harness.PendingCustomerAsync()).Id);
        await using var db = harness.NewContext();

        var update = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"SignedDecisions\" SET \"Signature\" = 'x'"));
        var delete = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"SignedDecisions\""));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
        Assert.Equal(1, await db.SignedDecisions.CountAsync());
    }

    [Fact]
    public async Task Verify_ASignedDecisionInventedWithAnotherKey_IsNamed()
    {
        var (harness, passkey, _) = await SignedApprovalAsync();
        await using var _h = harness;
        using var _p = passkey;
        using var forger = new SoftwarePasskey();
        var other = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/bob@contoso.com");

        // Everything a forger with the database can make: a statement, their own key's signature over it, a row.
        await using (var db = harness.NewContext())
        {
            var request = await db.AccessRequests.SingleAsync(r => r.Id == other.Id);
            var statement = DecisionStatement.For(request, DecisionStatement.Approve, Cast.Approver1, harness.Time.GetUtcNow());
            var assertion = LockboxPortal.Common.WebAuthnAssertion.Parse(forger.Sign(statement.Challenge(), "lockbox.example", PasskeySignedDecisionTests.Origin))!;
            db.SignedDecisions.Add(SignedDecision.Record(statement, new LockboxPortal.Common.PasskeyProof(
                assertion, forger.PublicKey(), LockboxPortal.Common.WebAuthnAssertion.Es256, "lockbox.example", PasskeySignedDecisionTests.Origin)));
            await db.SaveChangesAsync();
        }

        var (exitCode, output, _) = await AuditCommandTests.RunAsync(harness, "audit", "verify", "--tenant", "contoso");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{other.Reference} approve by {Cast.Approver1}: signed with a passkey the trail never recorded for this approver", output, StringComparison.Ordinal);
        Assert.Contains("1 of 2 signed decisions fail", output, StringComparison.Ordinal);
    }
}
