using System.Collections;
using System.Security.Claims;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>What an operation does for one person in an authorization matrix.</summary>
public enum Cell
{
    /// <summary>It runs, and no refusal is recorded.</summary>
    Allowed,

    /// <summary>Refused with <see cref="ForbiddenException"/>: the person may see the thing but not do this.</summary>
    Forbidden,

    /// <summary>Refused with <see cref="NotFoundException"/>: the person may not even learn the thing exists.</summary>
    NotFound,

    /// <summary>Refused and recorded, and answered with nothing (null or an empty list), as the pages expect.</summary>
    Nothing,

    /// <summary>
    /// The person may decide this kind of stage, but it is behind the request: "already decided" (DESIGN.md rule 6),
    /// nothing changed and nothing recorded as a refusal.
    /// </summary>
    AlreadyDecided,
}

/// <summary>
/// Runs one cell of a service-level authorization matrix on a <see cref="ServiceHarness"/>: the harness's cast and an
/// unauthenticated person, each against the operation, with what a refused cell must leave untouched checked on storage.
/// </summary>
public static class ServiceMatrix
{
    public const string Anonymous = "anonymous";

    /// <summary>
    /// Provider staff, Contoso's people (the tenant every operation here aims at), Northwind's, the MSP operator (a
    /// TenantAdmin on both tenants' approver lists), and nobody.
    /// </summary>
    public static readonly string[] People =
    [
        Cast.Engineer, Cast.Engineer2, Cast.Manager, Cast.Admin,
        Cast.Approver1, Cast.ContosoAdminNotApprover, Cast.ContosoOfficer,
        Cast.NorthwindApprover, Cast.NorthwindOfficer,
        Cast.Operator,
        Anonymous,
    ];

    /// <summary>
    /// The rows for one operation: every person, with <paramref name="others"/> for those not named. Anonymous is always
    /// refused without a record (nobody to record), so it needs no naming.
    /// </summary>
    public static IEnumerable<(string Operation, string Who, Cell Expected)> Rows(string operation, Cell others, params (string Who, Cell Expected)[] named)
    {
        foreach (var who in People)
        {
            var expected = who == Anonymous ? Cell.Forbidden : named.Where(n => n.Who == who).Select(n => (Cell?)n.Expected).SingleOrDefault() ?? others;
            yield return (operation, who, expected);
        }
    }

    public static TheoryData<string, string, Cell> Theory(IEnumerable<(string Operation, string Who, Cell Expected)> rows)
    {
        var data = new TheoryData<string, string, Cell>();
        foreach (var (operation, who, expected) in rows)
        {
            data.Add(operation, who, expected);
        }

        return data;
    }

    /// <summary>Each operation has at least one allowed and one refused person, so over-allowing and over-denying both fail.</summary>
    public static void AssertAllowedAndRefusedRowsForEachOperation(IEnumerable<(string Operation, string Who, Cell Expected)> rows)
    {
        foreach (var operation in rows.GroupBy(r => r.Operation))
        {
            Assert.Contains(operation, r => r.Expected == Cell.Allowed);
            Assert.Contains(operation, r => r.Expected != Cell.Allowed && r.Who != Anonymous);
            Assert.Equal(People.Length, operation.Count());
        }
    }

    public static ClaimsPrincipal Principal(string who) =>
        who == Anonymous ? new ClaimsPrincipal(new ClaimsIdentity()) : ServiceHarness.As(who);

    /// <summary>One cell on a fresh harness: <paramref name="prepare"/> sets up what the operation needs and returns it, ready to run as anyone.</summary>
    public static async Task RunAsync(
        string operation, string who, Cell expected, Func<ServiceHarness, string, Task<Func<ClaimsPrincipal, Task<object?>>>> prepare)
    {
        await using var harness = await HarnessForAsync(who);
        await AssertCellAsync(harness, who, expected, await prepare(harness, operation));
    }

    /// <summary>
    /// One cell on a fresh harness, for a matrix whose <paramref name="prepare"/> aims at the tenant it is given:
    /// Contoso for everyone, and for the operator, who decides in both tenants, Northwind as well (same harness, same
    /// expectation), so a rule that held in only one of their tenants fails.
    /// </summary>
    public static async Task RunInEachTenantAsync(
        string operation, string who, Cell expected, Func<ServiceHarness, string, Guid, Task<Func<ClaimsPrincipal, Task<object?>>>> prepare)
    {
        await using var harness = await HarnessForAsync(who);
        foreach (var tenant in who == Cast.Operator ? [harness.Contoso, harness.Northwind] : new[] { harness.Contoso })
        {
            await AssertCellAsync(harness, who, expected, await prepare(harness, operation, tenant));
        }
    }

    /// <summary>
    /// A fresh harness, with the operator added when the cell is theirs: one more approver in each tenant would change
    /// what the other people's cells count.
    /// </summary>
    public static async Task<ServiceHarness> HarnessForAsync(string who)
    {
        var harness = await ServiceHarness.CreateAsync();
        if (who == Cast.Operator)
        {
            await harness.AddOperatorAsync();
        }

        return harness;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> as <paramref name="who"/>. An allowed cell succeeds without a refusal; a refused
    /// cell throws (or answers with nothing) and leaves every request, decision, question and token as it was, writing nothing to
    /// the trail but the one refusal (none for an unauthenticated person).
    /// </summary>
    public static async Task AssertCellAsync(ServiceHarness harness, string who, Cell expected, Func<ClaimsPrincipal, Task<object?>> operation)
    {
        var before = await SnapshotAsync(harness);
        object? result = null;
        LockboxRuleException? refusal = null;
        try
        {
            result = await operation(Principal(who));
        }
        catch (LockboxRuleException ex) when (ex is ForbiddenException or NotFoundException
            || (expected == Cell.AlreadyDecided && ex is Features.AccessRequests.InvalidTransitionException))
        {
            refusal = ex;
        }

        var after = await SnapshotAsync(harness);
        var written = after.Audit.Skip(before.Audit.Count).ToList();
        if (expected == Cell.Allowed)
        {
            Assert.Null(refusal);
            Assert.DoesNotContain(written, e => e.EventType == AuditEventType.Operation_Refused);
            return;
        }

        switch (expected)
        {
            case Cell.Forbidden:
                Assert.IsType<ForbiddenException>(refusal);
                break;
            case Cell.NotFound:
                Assert.IsType<NotFoundException>(refusal);
                break;
            case Cell.AlreadyDecided:
                Assert.Equal("already-decided", Assert.IsType<Features.AccessRequests.InvalidTransitionException>(refusal).Code);
                Assert.Equal(before.Requests, after.Requests);
                Assert.Empty(written);
                return;
            default:
                Assert.Null(refusal);
                Assert.True(result is null || (result is IEnumerable items && !items.Cast<object>().Any()), $"{who} was shown something: {result}");
                break;
        }

        Assert.Equal(before.Requests, after.Requests);
        Assert.Equal(before.Tokens, after.Tokens);
        if (who == Anonymous)
        {
            Assert.Empty(written);
        }
        else
        {
            var recorded = Assert.Single(written);
            Assert.Equal((AuditEventType.Operation_Refused, who), (recorded.EventType, recorded.ActorId));
        }
    }

    private sealed record Snapshot(IReadOnlyList<string> Requests, IReadOnlyList<string> Tokens, IReadOnlyList<AuditEntry> Audit);

    private static async Task<Snapshot> SnapshotAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        var requests = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).OrderBy(r => r.Reference).ToListAsync();
        var tokens = await db.ApiTokens.AsNoTracking().OrderBy(t => t.CreatedAt).ThenBy(t => t.Name).ToListAsync();
        var questions = await db.RequestQuestions.AsNoTracking().OrderBy(q => q.AskedAt).ThenBy(q => q.Id).ToListAsync();
        return new Snapshot(
            [
                .. requests.Select(r => $"{r.Id} {r.Status} {r.Version} {r.Decisions.Count} {r.GrantEndsAt:O}"),
                .. questions.Select(q => $"question {q.Id} {q.AnsweredAt:O}"),
            ],
            tokens.Select(t => $"{t.Id} {t.Kind} {t.RevokedAt:O}").ToList(),
            await db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
    }
}
