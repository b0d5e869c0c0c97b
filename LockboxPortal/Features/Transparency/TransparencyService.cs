using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Transparency;

/// <summary>One report as the service client sends it.</summary>
public sealed record ActivityReportItem(string? Action, string? Resource, DateTimeOffset? At);

/// <summary>A batch of reports under one grant: the tenant it belongs to (id or short name) and 1 to 100 reports.</summary>
public sealed record ActivityReportInput(string? Tenant, IReadOnlyList<ActivityReportItem?>? Activities);

/// <summary>A grant's reports, oldest first, and its access checks per minute, as the request page and the API show them.</summary>
public sealed record GrantActivityView(IReadOnlyList<GrantActivity> Reports, IReadOnlyList<GrantCheckMinute> CheckMinutes);

/// <summary>
/// Access transparency: service clients report what they did under a grant, and the customer sees it, with the access
/// checks counted per minute (<see cref="CheckCounter"/>). A batch is taken whole or not at all: every report must be
/// well formed, inside the grant's window and under its scope, or nothing is stored. Each batch is one transaction
/// with one audit entry carrying its reports; each refusal is recorded.
/// </summary>
/// <remarks>
/// Like the access check, reporting is for service clients only (a person's token is refused by the endpoint's policy,
/// and here again). A service client serves every active tenant of the provider; a request of another tenant than the
/// one named, or of a deactivated tenant, is "not found", the same as an unknown id.
/// </remarks>
public sealed class TransparencyService(
    IDbContextFactory<LockboxDbContext> dbFactory,
    LockboxTransactions transactions,
    RequestGate requests,
    AuditWriter audit,
    RequestNotifier notifier,
    TimeProvider time)
{
    public const int MaxBatch = 100;

    /// <summary>How far a report's time may lie outside the grant's window (or ahead of now): the data plane's clock is not ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>The most reports and check minutes the request page shows (the newest); the export has them all.</summary>
    public const int ShownMax = 500;

    public async Task<IReadOnlyList<GrantActivity>> ReportAsync(
        ClaimsPrincipal caller, Guid requestId, ActivityReportInput input, ClientInfo? client = null, CancellationToken cancellationToken = default)
    {
        if (!ApiPrincipal.IsServiceClient(caller))
        {
            throw new ForbiddenException("Only a service client's token may report what was done under a grant.");
        }

        var actor = ApiPrincipal.ServiceClientActor(caller);
        var items = Validate(input);
        var tenantKey = input.Tenant!.Trim();
        try
        {
            var (stored, change) = await transactions.RunAsync(async db =>
            {
                var request = await db.AccessRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
                var tenant = request is null ? null : await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == request.TenantId, cancellationToken);
                var named = tenant is not null && (string.Equals(tenant.Id.ToString(), tenantKey, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(tenant.ShortName, tenantKey.ToLowerInvariant(), StringComparison.Ordinal));
                if (request is null || tenant is not { IsActive: true } || !named)
                {
                    throw new NotFoundException("grant");
                }

                EnsureUnderGrant(request, items, time.GetUtcNow());
                var now = time.GetUtcNow();
                var batchId = Guid.NewGuid();
                var rows = items.Select((i, position) => new GrantActivity(
                    Guid.NewGuid(), request.Id, request.TenantId, batchId, actor.UserId, Truncate(actor.DisplayName, GrantActivity.ClientNameMaxLength),
                    i.Action, i.Resource, i.At, now, position)).ToList();
                db.GrantActivities.AddRange(rows);
                await audit.AppendAsync(db, new AuditRecord(AuditEventType.Grant_ActivityReported, actor, request.TenantId, RequestGate.Subject, request.Id.ToString(),
                    AuditRecord.Details(new
                    {
                        request.Reference,
                        BatchId = batchId,
                        Count = rows.Count,
                        Activities = rows.Select(r => new { At = r.OccurredAt, r.Action, r.Resource }),
                    }), Client: client), cancellationToken);
                var raised = new RequestEvent(request.Id, request.Reference, request.TenantId, request.RequesterId, request.Status,
                    RequestEventKind.ActivityReported, actor.DisplayName, now, request.ExtendsRequestId);
                return (rows, raised);
            }, cancellationToken);

            // Not handed to the outbox: a report is no reason for an email or a webhook, and a busy data plane would flood both.
            await notifier.PublishAsync(change);
            return stored;
        }
        catch (LockboxRuleException ex) when (ex is NotFoundException or GrantNotOpenedException or ActivityOutsideWindowException or ActivityOutsideScopeException)
        {
            await RecordRefusalAsync(actor, requestId, ex, client, cancellationToken);
            throw;
        }
    }

    /// <summary>A grant's reports and check counts for whoever may view the request (the View rule); null for anyone else.</summary>
    public async Task<GrantActivityView?> ActivityAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await requests.FindVisibleAsync(db, principal, requestId, cancellationToken) is not { Request: var request })
        {
            return null;
        }

        var reports = await db.GrantActivities.AsNoTracking().Where(a => a.RequestId == request.Id)
            .OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.ReportedAt).ThenByDescending(a => a.Position).Take(ShownMax).ToListAsync(cancellationToken);
        var minutes = await db.GrantCheckMinutes.AsNoTracking().Where(m => m.RequestId == request.Id)
            .OrderByDescending(m => m.Minute).Take(ShownMax).ToListAsync(cancellationToken);
        return new GrantActivityView([.. reports.AsEnumerable().Reverse()], [.. minutes.AsEnumerable().Reverse()]);
    }

    private sealed record ValidItem(string Action, string Resource, DateTimeOffset At);

    private static List<ValidItem> Validate(ActivityReportInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Tenant) || input.Tenant.Length > 200)
        {
            errors["Tenant"] = ["Name the grant's tenant by id or short name."];
        }

        var activities = input.Activities ?? [];
        if (activities.Count is 0 or > MaxBatch)
        {
            errors["Activities"] = [$"Send 1 to {MaxBatch} reports at once."];
        }

        var valid = new List<ValidItem>();
        for (var i = 0; i < Math.Min(activities.Count, MaxBatch); i++)
        {
            var item = activities[i];
            var at = $"Activities[{i}]";
            if (item is null)
            {
                errors[at] = ["A report is an object with action, resource and at."];
                continue;
            }

            var action = item.Action?.Trim();
            if (string.IsNullOrEmpty(action) || action.Length > GrantActivity.ActionMaxLength)
            {
                errors[at + ".Action"] = [$"Say what was done in 1 to {GrantActivity.ActionMaxLength} characters, e.g. mailbox.read."];
            }
            else if (TextRules.FirstHiddenCharacter(action) is { } hidden)
            {
                errors[at + ".Action"] = [$"The action holds a hidden character ({hidden}); send visible text only."];
            }

            if (!ResourceScope.TryParse(item.Resource, out var resource, out var resourceError))
            {
                errors[at + ".Resource"] = [resourceError];
            }

            if (item.At is null)
            {
                errors[at + ".At"] = ["Say when it was done (an ISO 8601 time with its offset)."];
            }

            if (!errors.Keys.Any(k => k.StartsWith(at, StringComparison.Ordinal)))
            {
                valid.Add(new ValidItem(action!, resource!.ToString(), item.At!.Value));
            }
        }

        return errors.Count > 0 ? throw new InvalidInputException(errors) : valid;
    }

    /// <summary>Every report inside the window the grant had (its start to its end, which a revoke or release moves to then) and under its scope.</summary>
    private static void EnsureUnderGrant(AccessRequest request, IReadOnlyList<ValidItem> items, DateTimeOffset now)
    {
        if (request is not { GrantStartsAt: { } start, GrantEndsAt: { } end } || request.Status is not (RequestStatus.Approved or RequestStatus.Completed or RequestStatus.Revoked))
        {
            throw new GrantNotOpenedException();
        }

        var from = start - ClockSkew;
        var until = Min(end, now) + ClockSkew;
        var scope = request.ParsedScope;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].At < from || items[i].At > until)
            {
                throw new ActivityOutsideWindowException(i, items[i].At, start, Min(end, now));
            }

            if (!scope.Covers(ResourceScope.Parse(items[i].Resource)))
            {
                throw new ActivityOutsideScopeException(i, items[i].Resource, request.Scope);
            }
        }
    }

    private Task RecordRefusalAsync(Actor actor, Guid requestId, LockboxRuleException refusal, ClientInfo? client, CancellationToken cancellationToken) =>
        transactions.AfterOperationAsync(async db =>
        {
            // In the trail of the tenant whose request it named, so its officers see the attempt; the provider's for an unknown id.
            var tenantId = await db.AccessRequests.AsNoTracking().Where(r => r.Id == requestId).Select(r => (Guid?)r.TenantId).SingleOrDefaultAsync(cancellationToken);
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.Operation_Refused, actor, tenantId, RequestGate.Subject, requestId.ToString(),
                AuditRecord.Details(new { Operation = "ReportActivity", Reason = refusal.Code, Detail = refusal.Message }), Client: client), cancellationToken);
        }, cancellationToken);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
