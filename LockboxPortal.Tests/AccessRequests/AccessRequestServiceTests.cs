using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// The request service over a real SQLite file: each operation writes its change and its audit entry in one
/// transaction (DESIGN.md rule 8), bad input writes nothing (rule 9), refusals change nothing and are audited,
/// and concurrent decisions have exactly one effect (rule 6).
/// </summary>
public class AccessRequestServiceTests
{
    private const string Subject = "AccessRequest";

    // ---- each operation writes its audit entry ----

    public static TheoryData<string> Operations() =>
        new() { "File", "ApproveInternal", "DenyInternal", "ApproveCustomer", "RejectCustomer", "Cancel" };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_WritesItsAuditEntry(string operation)
    {
        await using var h = await ServiceHarness.CreateAsync();
        var requestId = await PrepareAsync(h, operation);
        var before = (await h.AuditAsync()).Count;
        h.Time.Advance(TimeSpan.FromMinutes(7));

        var result = await RunAsync(h, operation, requestId);

        var (types, actor) = Expected(operation);
        var written = (await h.AuditAsync()).Skip(before).ToList();
        Assert.Equal(types, written.Select(e => e.EventType));
        Assert.All(written, entry =>
        {
            Assert.Equal(actor, entry.ActorId);
            Assert.Null(entry.OnBehalfOfId);
            Assert.Null(entry.OnBehalfOfName);
            Assert.Equal(h.Contoso, entry.TenantId);
            Assert.Equal(h.Contoso, entry.ChainId);
            Assert.Equal(Subject, entry.SubjectType);
            Assert.Equal(result.Id.ToString(), entry.SubjectId);
            Assert.Equal(h.Time.GetUtcNow(), entry.OccurredAt);
        });
        Assert.Contains(result.Reference, written[0].DetailsJson, StringComparison.Ordinal);
        await AssertChainIntactAsync(h, h.Contoso);
    }

    private static (AuditEventType[] Types, string Actor) Expected(string operation) => operation switch
    {
        "File" => ([AuditEventType.AccessRequest_Filed], Cast.Engineer),
        "ApproveInternal" => ([AuditEventType.AccessRequest_InternalApproved], Cast.Manager),
        "DenyInternal" => ([AuditEventType.AccessRequest_InternalDenied], Cast.Manager),
        "ApproveCustomer" => ([AuditEventType.AccessRequest_CustomerApproved, AuditEventType.Grant_Opened], Cast.Approver1),
        "RejectCustomer" => ([AuditEventType.AccessRequest_CustomerRejected], Cast.Approver1),
        "Cancel" => ([AuditEventType.AccessRequest_Cancelled], Cast.Engineer),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    // ---- an operation and its audit entry are written together or not at all ----

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_WhoseAuditEntryCannotBeWritten_LeavesTheRequestUnchanged(string operation)
    {
        await using var h = await ServiceHarness.CreateAsync();
        var requestId = await PrepareAsync(h, operation);
        var before = await SnapshotAsync(h, requestId);
        await FailWritesAsync(h, "fail_audit", "INSERT ON AuditEntries");

        await Assert.ThrowsAnyAsync<DbUpdateException>(() => RunAsync(h, operation, requestId));

        Assert.Equal(before, await SnapshotAsync(h, requestId));
    }

    [Theory]
    [InlineData("File", "INSERT ON AccessRequests")]
    [InlineData("ApproveInternal", "UPDATE ON AccessRequests")]
    [InlineData("ApproveInternal", "INSERT ON RequestDecisions")]
    [InlineData("DenyInternal", "UPDATE ON AccessRequests")]
    [InlineData("ApproveCustomer", "UPDATE ON AccessRequests")]
    [InlineData("ApproveCustomer", "INSERT ON RequestDecisions")]
    [InlineData("RejectCustomer", "UPDATE ON AccessRequests")]
    [InlineData("Cancel", "UPDATE ON AccessRequests")]
    public async Task Operation_WhoseRequestWriteFails_LeavesNoAuditEntry(string operation, string failingWrite)
    {
        await using var h = await ServiceHarness.CreateAsync();
        var requestId = await PrepareAsync(h, operation);
        var before = await SnapshotAsync(h, requestId);
        await FailWritesAsync(h, "fail_request", failingWrite);

        await Assert.ThrowsAnyAsync<DbUpdateException>(() => RunAsync(h, operation, requestId));

        Assert.Equal(before, await SnapshotAsync(h, requestId));
    }

    // ---- bad input writes nothing ----

    public static TheoryData<string, string> InvalidFilings() => new()
    {
        { "justification too short", nameof(AccessRequest.Justification) },
        { "justification only spaces", nameof(AccessRequest.Justification) },
        { "justification missing", nameof(AccessRequest.Justification) },
        { "justification too long", nameof(AccessRequest.Justification) },
        { "scope with ..", nameof(AccessRequest.Scope) },
        { "scope with empty segment", nameof(AccessRequest.Scope) },
        { "scope empty", nameof(AccessRequest.Scope) },
        { "scope with space", nameof(AccessRequest.Scope) },
        { "duration over tenant max", nameof(AccessRequest.RequestedDuration) },
        { "duration over default max", nameof(AccessRequest.RequestedDuration) },
        { "duration under minimum", nameof(AccessRequest.RequestedDuration) },
        { "ticket required by policy", nameof(AccessRequest.TicketReference) },
        { "ticket too long", nameof(AccessRequest.TicketReference) },
        { "unknown tenant", nameof(AccessRequest.TenantId) },
    };

    [Theory]
    [MemberData(nameof(InvalidFilings))]
    public async Task File_WithInvalidInput_NamesTheFieldAndWritesNothing(string problem, string field)
    {
        await using var h = await ServiceHarness.CreateAsync();
        var valid = h.ValidInput();
        var input = problem switch
        {
            "justification too short" => valid with { Justification = "too short" },
            "justification only spaces" => valid with { Justification = "     a         " },
            "justification missing" => valid with { Justification = null },
            "justification too long" => valid with { Justification = new string('j', AccessRequest.JustificationMaxLength + 1) },
            "scope with .." => valid with { Scope = "Exchange:mailbox/ana@contoso.com/../bob@contoso.com" },
            "scope with empty segment" => valid with { Scope = "Exchange:mailbox//ana@contoso.com" },
            "scope empty" => valid with { Scope = "" },
            "scope with space" => valid with { Scope = "Exchange:mailbox/ana @contoso.com" },
            "duration over tenant max" => valid with { Duration = TimeSpan.FromHours(3) },
            "duration over default max" => valid with { Duration = TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1) },
            "duration under minimum" => valid with { Duration = TimeSpan.FromMinutes(14) },
            "ticket required by policy" => valid with { TicketReference = "  " },
            "ticket too long" => valid with { TicketReference = new string('t', AccessRequest.TicketMaxLength + 1) },
            "unknown tenant" => valid with { TenantId = Guid.NewGuid() },
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
        };
        if (problem == "duration over tenant max")
        {
            await h.SetPolicyAsync(h.Contoso, p => p with { MaxGrantDuration = TimeSpan.FromHours(2), DefaultGrantDuration = TimeSpan.FromHours(1) });
        }

        if (problem == "ticket required by policy")
        {
            await h.SetPolicyAsync(h.Contoso, p => p with { RequireTicketReference = true });
        }

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => h.Requests.FileAsync(ServiceHarness.Engineer, input));

        Assert.Equal(new[] { field }, ex.Errors.Keys);
        Assert.NotEmpty(ex.Errors[field]);
        await using var db = h.NewContext();
        Assert.Equal(0, await db.AccessRequests.CountAsync());
        Assert.Equal(0, await db.RequestDecisions.CountAsync());
        Assert.Empty(await h.AuditAsync());
    }

    [Fact]
    public async Task File_WithSeveralProblems_NamesEveryField()
    {
        await using var h = await ServiceHarness.CreateAsync();
        var input = h.ValidInput() with { Justification = "short", Scope = "Exchange:..", Duration = TimeSpan.FromHours(30) };

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => h.Requests.FileAsync(ServiceHarness.Engineer, input));

        Assert.Equal(
            new[] { nameof(AccessRequest.Justification), nameof(AccessRequest.RequestedDuration), nameof(AccessRequest.Scope) },
            ex.Errors.Keys.Order());
        Assert.Empty(await h.AuditAsync());
    }

    [Fact]
    public async Task File_WithValidInput_StoresAPendingRequestWithTheTenantsDeadline()
    {
        await using var h = await ServiceHarness.CreateAsync();
        await h.SetPolicyAsync(h.Contoso, p => p with { PendingLifetime = TimeSpan.FromHours(2) });

        var filed = await h.Requests.FileAsync(ServiceHarness.Engineer, h.ValidInput());

        var stored = await LoadAsync(h, filed.Id);
        Assert.Equal(RequestStatus.PendingInternal, stored.Status);
        Assert.Equal(ServiceHarness.Start + TimeSpan.FromHours(2), stored.ExpiresAt);
        Assert.Equal(Cast.Engineer, stored.RequesterId);
        Assert.Matches("^LBX-2026-\\d{6}$", stored.Reference);
    }

    // ---- refused operations change nothing and are audited ----

    public static TheoryData<string, string, string> Refusals() => new()
    {
        // who, what, expected exception
        { Cast.NorthwindApprover, "ApproveCustomer", nameof(NotFoundException) },
        { Cast.NorthwindApprover, "RejectCustomer", nameof(NotFoundException) },
        { Cast.NorthwindOfficer, "RejectCustomer", nameof(NotFoundException) },
        { Cast.Admin, "ApproveCustomer", nameof(NotFoundException) },
        { Cast.Engineer2, "Cancel", nameof(NotFoundException) },
        { Cast.Engineer, "ApproveInternal", nameof(ForbiddenException) },
        { Cast.Engineer, "DenyInternal", nameof(ForbiddenException) },
        { Cast.Engineer, "ApproveCustomer", nameof(ForbiddenException) },
        { Cast.ContosoAdminNotApprover, "ApproveCustomer", nameof(ForbiddenException) },
        { Cast.ContosoOfficer, "ApproveCustomer", nameof(ForbiddenException) },
        { Cast.Manager, "ApproveCustomer", nameof(ForbiddenException) },
        { Cast.Approver1, "ApproveInternal", nameof(ForbiddenException) },
        { Cast.Manager, "Cancel", nameof(ForbiddenException) },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task RefusedOperation_ChangesNothing_AndIsAuditedAsRefused(string who, string operation, string exception)
    {
        await using var h = await ServiceHarness.CreateAsync();
        var requestId = operation.EndsWith("Internal", StringComparison.Ordinal)
            ? (await h.Requests.FileAsync(ServiceHarness.Engineer, h.ValidInput())).Id
            : (await h.PendingCustomerAsync()).Id;
        var before = await SnapshotAsync(h, requestId);
        var auditBefore = (await h.AuditAsync()).Count;

        var ex = await Assert.ThrowsAnyAsync<LockboxRuleException>(() => RunAsync(h, operation, requestId, ServiceHarness.As(who)));

        Assert.Equal(exception, ex.GetType().Name);
        var (state, version, decisions, _) = await SnapshotAsync(h, requestId);
        Assert.Equal((before.State, before.Version, before.Decisions), (state, version, decisions));
        var refusal = Assert.Single((await h.AuditAsync()).Skip(auditBefore));
        Assert.Equal(AuditEventType.Operation_Refused, refusal.EventType);
        Assert.Equal(who, refusal.ActorId);
        Assert.Equal(h.Contoso, refusal.TenantId);
        Assert.Equal(Subject, refusal.SubjectType);
        Assert.Equal(requestId.ToString(), refusal.SubjectId);
        await AssertChainIntactAsync(h, h.Contoso);
    }

    [Theory]
    [InlineData("ApproveInternal")]
    [InlineData("ApproveCustomer")]
    [InlineData("RejectCustomer")]
    public async Task Decision_AfterTheDeadline_IsRefused_ChangesNothing_AndIsAudited(string operation)
    {
        await using var h = await ServiceHarness.CreateAsync();
        var requestId = operation == "ApproveInternal"
            ? (await h.Requests.FileAsync(ServiceHarness.Engineer, h.ValidInput())).Id
            : (await h.PendingCustomerAsync()).Id;
        var before = await SnapshotAsync(h, requestId);
        var auditBefore = (await h.AuditAsync()).Count;
        h.Time.SetUtcNow((await LoadAsync(h, requestId)).ExpiresAt);

        await Assert.ThrowsAsync<DeadlinePassedException>(() => RunAsync(h, operation, requestId));

        var (state, version, decisions, _) = await SnapshotAsync(h, requestId);
        Assert.Equal((before.State, before.Version, before.Decisions), (state, version, decisions));
        var refusal = Assert.Single((await h.AuditAsync()).Skip(auditBefore));
        Assert.Equal(AuditEventType.Operation_Refused, refusal.EventType);
        Assert.Contains("deadline-passed", refusal.DetailsJson, StringComparison.Ordinal);
        Assert.Equal(requestId.ToString(), refusal.SubjectId);
    }

    // ---- races ----

    [Fact]
    public async Task ConcurrentApproveAndReject_HaveExactlyOneEffect_AndTheLoserIsToldItWasAlreadyDecided()
    {
        await using var h = await ServiceHarness.CreateAsync();
        for (var run = 0; run < 20; run++)
        {
            // A scope per run: an approved run's grant would refuse the next filing for its scope.
            var request = await h.PendingCustomerAsync(scope: $"Exchange:mailbox/run{run}@contoso.com");
            var auditBefore = (await h.AuditAsync(request.Id)).Count;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var approve = Task.Run(async () =>
            {
                await gate.Task;
                return await Outcome(() => h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, "yes"));
            });
            var reject = Task.Run(async () =>
            {
                await gate.Task;
                return await Outcome(() => h.Requests.DecideCustomerAsync(ServiceHarness.Approver2, request.Id, approve: false, "no"));
            });
            gate.SetResult();
            var outcomes = await Task.WhenAll(approve, reject);

            Assert.Single(outcomes, o => o is null);
            var loser = Assert.Single(outcomes, o => o is not null)!;
            var transition = Assert.IsType<InvalidTransitionException>(loser);
            Assert.Equal("already-decided", transition.Code);

            var approveWon = outcomes[0] is null;
            var stored = await LoadAsync(h, request.Id);
            Assert.Equal(approveWon ? RequestStatus.Approved : RequestStatus.Rejected, stored.Status);
            var decision = Assert.Single(stored.Decisions, d => d.Stage == DecisionStage.Customer);
            Assert.Equal(approveWon ? Cast.Approver1 : Cast.Approver2, decision.DeciderId);
            Assert.Equal(approveWon, stored.GrantEndsAt is not null);
            AuditEventType[] expected = approveWon
                ? [AuditEventType.AccessRequest_CustomerApproved, AuditEventType.Grant_Opened]
                : [AuditEventType.AccessRequest_CustomerRejected];
            Assert.Equal(expected, (await h.AuditAsync(request.Id)).Skip(auditBefore).Select(e => e.EventType));
        }

        await AssertChainIntactAsync(h, h.Contoso);
    }

    [Fact]
    public async Task ConcurrentApprovalsBySamePerson_CountOnce()
    {
        await using var h = await ServiceHarness.CreateAsync();
        await h.SetPolicyAsync(h.Contoso, p => p with { RequiredApprovals = 2 });
        var request = await h.PendingCustomerAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(
            () => Outcome(() => h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, null)))));

        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<AlreadyCountedException>(o));
        var stored = await LoadAsync(h, request.Id);
        Assert.Equal(RequestStatus.PendingCustomer, stored.Status);
        Assert.Single(stored.Decisions, d => d.Stage == DecisionStage.Customer);
    }

    // ---- the quorum is fixed at the internal approval ----

    [Fact]
    public async Task RequiredApprovals_FixedAtInternalApproval_AreNotLoweredByALaterPolicyChange()
    {
        await using var h = await ServiceHarness.CreateAsync();
        await h.SetPolicyAsync(h.Contoso, p => p with { RequiredApprovals = 2 });
        var request = await h.PendingCustomerAsync();
        await h.SetPolicyAsync(h.Contoso, p => p with { RequiredApprovals = 1 });

        var afterFirst = await h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, null);

        Assert.Equal(2, (await LoadAsync(h, request.Id)).RequiredApprovals);
        Assert.Equal(RequestStatus.PendingCustomer, afterFirst.Status);
        var afterSecond = await h.Requests.DecideCustomerAsync(ServiceHarness.Approver2, request.Id, approve: true, null);
        Assert.Equal(RequestStatus.Approved, afterSecond.Status);
    }

    [Fact]
    public async Task RequiredApprovals_FixedAtInternalApproval_AreNotRaisedByALaterPolicyChange()
    {
        await using var h = await ServiceHarness.CreateAsync();
        var request = await h.PendingCustomerAsync();
        await h.SetPolicyAsync(h.Contoso, p => p with { RequiredApprovals = 3 });

        var afterFirst = await h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, null);

        Assert.Equal(RequestStatus.Approved, afterFirst.Status);
        Assert.Equal(1, (await LoadAsync(h, request.Id)).RequiredApprovals);
    }

    [Fact]
    public async Task DecideCustomer_BySameApproverTwice_IsRefused_AndCountsOnce()
    {
        await using var h = await ServiceHarness.CreateAsync();
        await h.SetPolicyAsync(h.Contoso, p => p with { RequiredApprovals = 2 });
        var request = await h.PendingCustomerAsync();
        await h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, null);

        await Assert.ThrowsAsync<AlreadyCountedException>(
            () => h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, null));

        var stored = await LoadAsync(h, request.Id);
        Assert.Equal(RequestStatus.PendingCustomer, stored.Status);
        Assert.Single(stored.CustomerApprovals);
    }

    // ---- helpers ----

    /// <summary>Brings a fresh Contoso request to the state the operation starts from; null for filing.</summary>
    private static async Task<Guid?> PrepareAsync(ServiceHarness h, string operation) => operation switch
    {
        "File" => null,
        "ApproveInternal" or "DenyInternal" => (await h.Requests.FileAsync(ServiceHarness.Engineer, h.ValidInput())).Id,
        _ => (await h.PendingCustomerAsync()).Id,
    };

    /// <summary>Runs the operation as the person who may do it (or as <paramref name="as"/>), with valid arguments.</summary>
    private static Task<AccessRequest> RunAsync(ServiceHarness h, string operation, Guid? requestId, ClaimsPrincipal? @as = null)
    {
        var id = requestId ?? Guid.Empty;
        return operation switch
        {
            "File" => h.Requests.FileAsync(@as ?? ServiceHarness.Engineer, h.ValidInput()),
            "ApproveInternal" => h.Requests.DecideInternalAsync(@as ?? ServiceHarness.Manager, id, approve: true, "ok"),
            "DenyInternal" => h.Requests.DecideInternalAsync(@as ?? ServiceHarness.Manager, id, approve: false, "No open support case."),
            "ApproveCustomer" => h.Requests.DecideCustomerAsync(@as ?? ServiceHarness.Approver1, id, approve: true, "go ahead"),
            "RejectCustomer" => h.Requests.DecideCustomerAsync(@as ?? ServiceHarness.Approver1, id, approve: false, "Not during the audit."),
            "Cancel" => h.Requests.CancelAsync(@as ?? ServiceHarness.Engineer, id),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }

    /// <summary>What a failed operation must leave as it was: the request (or its absence), its decisions, the totals of requests and audit entries.</summary>
    private static async Task<(RequestStatus? State, Guid? Version, int Decisions, (int Requests, int AuditEntries) Totals)> SnapshotAsync(
        ServiceHarness h, Guid? requestId)
    {
        await using var db = h.NewContext();
        var request = requestId is { } id ? await db.AccessRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id) : null;
        var decisions = requestId is { } rid ? await db.RequestDecisions.CountAsync(d => d.AccessRequestId == rid) : 0;
        return (request?.Status, request?.Version, decisions, (await db.AccessRequests.CountAsync(), await db.AuditEntries.CountAsync()));
    }

    private static async Task<AccessRequest> LoadAsync(ServiceHarness h, Guid id)
    {
        await using var db = h.NewContext();
        return await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleAsync(r => r.Id == id);
    }

    /// <summary>A trigger that makes the database refuse <paramref name="write"/> (e.g. "UPDATE ON AccessRequests"), in each engine's syntax.</summary>
    private static async Task FailWritesAsync(ServiceHarness h, string name, string write)
    {
        await using var db = h.NewContext();
        var (operation, table) = (write.Split(" ON ")[0], write.Split(" ON ")[1]);
        await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
            ? $$"""
              CREATE FUNCTION {{name}}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'x'; END $$;
              CREATE TRIGGER {{name}} BEFORE {{operation}} ON "{{table}}" FOR EACH ROW EXECUTE FUNCTION {{name}}();
              """
            : $"CREATE TRIGGER {name} BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, 'x'); END;");
    }

    private static async Task<Exception?> Outcome(Func<Task> operation)
    {
        try
        {
            await operation();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>Sequences 1..n without gaps, each entry's hash recomputes and links to the one before.</summary>
    private static async Task AssertChainIntactAsync(ServiceHarness h, Guid chainId)
    {
        await using var db = h.NewContext();
        var chain = await db.AuditEntries.AsNoTracking().Where(e => e.ChainId == chainId).OrderBy(e => e.Sequence).ToListAsync();
        var previous = AuditEntry.GenesisHash;
        for (var i = 0; i < chain.Count; i++)
        {
            Assert.Equal(i + 1, chain[i].Sequence);
            Assert.Equal(previous, chain[i].PreviousHash);
            Assert.Equal(chain[i].ComputeHash(), chain[i].Hash);
            previous = chain[i].Hash;
        }
    }
}
