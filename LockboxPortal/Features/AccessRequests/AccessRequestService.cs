using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests.Signing;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// Filing and deciding access requests. Each public operation is one transaction: authorize the person acting
/// (from storage, not from their cookie), apply the state machine, append the audit entry, save, then publish.
/// </summary>
public sealed partial class AccessRequestService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    RequestGate gate,
    AuditWriter audit,
    RequestNotifier notifier,
    IDatabaseProvider database,
    PendingRows pendingRows,
    TimeProvider time)
{
    private const string Subject = RequestGate.Subject;

    public async Task<AccessRequest> FileAsync(ClaimsPrincipal principal, FileRequestInput input, CancellationToken cancellationToken = default)
    {
        var (request, change) = await transactions.RunAsync(async db =>
        {
            // A refusal is recorded in the tenant's trail when the tenant exists; a guessed id never starts a chain.
            var named = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == input.TenantId, cancellationToken);
            var user = await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.File, cancellationToken, named?.Id);
            var tenant = named is { IsActive: true } ? named : null;
            var policy = tenant?.Policy ?? TenantPolicy.Default;
            var duration = input.Duration ?? policy.DefaultGrantDuration;
            var now = time.GetUtcNow();
            var errors = AccessRequest.ValidateFiling(input.Justification, input.TicketReference, duration, input.AccessLevel, policy, input.Reason);
            if (AccessRequest.StartsAtProblem(input.StartsAt, now) is { } startsAtProblem)
            {
                errors[nameof(AccessRequest.StartsAt)] = [startsAtProblem];
            }

            if (tenant is null)
            {
                errors[nameof(AccessRequest.TenantId)] = ["Choose an active tenant."];
            }

            if (!ResourceScope.TryParse(input.Scope, out var scope, out var scopeError))
            {
                errors[nameof(AccessRequest.Scope)] = [scopeError];
            }
            else if (tenant is not null)
            {
                await AddScopeProblemsAsync(db, tenant, user.UserId, scope, input.AccessLevel, duration, now, errors,
                    held => $"You already hold a grant on {held.Scope} ({held.Reference}) in this tenant; ask for more time on it instead of filing another request.",
                    cancellationToken);
            }

            if (errors.Count > 0)
            {
                throw new InvalidInputException(errors);
            }

            var reference = await NextReferenceAsync(db, database, now, cancellationToken);
            var filed = AccessRequest.File(
                Guid.NewGuid(), reference, tenant!.Id, user.Actor, scope!, input.AccessLevel,
                input.Justification, input.TicketReference, duration, policy, now, input.StartsAt, input.Reason);
            db.AccessRequests.Add(filed);
            await audit.AppendAsync(db, Record(AuditEventType.AccessRequest_Filed, user, filed, FiledDetails(filed)), cancellationToken);
            return (filed, await notifier.RaiseAsync(db, filed, RequestEventKind.Filed, user.Actor, cancellationToken));
        }, cancellationToken);

        await notifier.PublishAsync(change);
        return request;
    }

    /// <summary>
    /// The requesting engineer asks for <paramref name="minutes"/> more on their active grant, with a reason: an extension,
    /// filed as a request of its own that goes through the same stages, quorum and decisions (docs/decisions/0013-grant-extensions.md).
    /// One at a time per grant. Both requests' trails record it.
    /// </summary>
    public async Task<AccessRequest> FileExtensionAsync(
        ClaimsPrincipal principal, Guid requestId, TimeSpan minutes, string? justification, CancellationToken cancellationToken = default)
    {
        var (extension, change) = await transactions.RunAsync(async db =>
        {
            var (user, original, _) = await gate.LoadForAsync(db, principal, requestId, RequestOperations.Extend, cancellationToken);
            var (policy, catalogueLimit) = await ExtensionLimitsAsync(db, original, cancellationToken);
            var now = time.GetUtcNow();

            // Filings take turns for the year's reference counter, so two asking at once cannot both find none pending.
            var reference = await NextReferenceAsync(db, database, now, cancellationToken);
            var pending = await db.AccessRequests.AsNoTracking()
                .Where(r => r.ExtendsRequestId == original.Id && (r.Status == RequestStatus.PendingInternal || r.Status == RequestStatus.PendingCustomer) && r.ExpiresAt > now)
                .Select(r => r.Reference)
                .FirstOrDefaultAsync(cancellationToken);
            if (pending is not null)
            {
                throw new ExtensionPendingException(pending);
            }

            var filed = original.FileExtension(Guid.NewGuid(), reference, user.Actor, minutes, justification, policy, now, catalogueLimit);
            db.AccessRequests.Add(filed);
            await audit.AppendAsync(db, Record(AuditEventType.AccessRequest_Filed, user, filed, FiledDetails(filed)), cancellationToken);
            await audit.AppendAsync(db, Record(AuditEventType.Grant_ExtensionRequested, user, original, new
            {
                original.Reference,
                ExtensionReference = filed.Reference,
                ExtensionId = filed.Id,
                Minutes = (int)minutes.TotalMinutes,

                // The engineer's words, shown beside the line in the grant's history; the reason code is on the extension's filing.
                Comment = filed.Justification,
            }), cancellationToken);
            return (filed, await notifier.RaiseAsync(db, filed, RequestEventKind.Filed, user.Actor, cancellationToken));
        }, cancellationToken);

        await notifier.PublishAsync(change);
        return extension;
    }

    /// <summary>The extensions asked for on a request this person may see, newest first; null when they may not see it.</summary>
    public async Task<IReadOnlyList<AccessRequest>?> ExtensionsOfAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await gate.FindVisibleAsync(db, principal, requestId, cancellationToken) is not { Request: var request })
        {
            return null;
        }

        return await db.AccessRequests.AsNoTracking().Include(r => r.Decisions)
            .Where(r => r.ExtendsRequestId == request.Id)
            .OrderByDescending(r => r.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Approves or rejects the stage the request is at: the internal stage while it awaits the provider, the customer
    /// stage while it awaits the customer. Once both stages are behind it, the stage this person may decide, so a
    /// manager and an approver are both told "already decided". The page and the API both decide through here.
    /// </summary>
    /// <remarks>
    /// <paramref name="allowedDuration"/> approves the customer stage for less time than requested; it goes with a
    /// customer approval only, and is refused with a message at the internal stage or with a rejection.
    /// </remarks>
    public async Task<AccessRequest> DecideAsync(
        ClaimsPrincipal principal, Guid requestId, bool approve, string? comment, FreshFactor? factor = null, CancellationToken cancellationToken = default,
        TimeSpan? allowedDuration = null)
    {
        if (await IsInternalStageAsync(principal, requestId, cancellationToken))
        {
            if (allowedDuration is not null)
            {
                throw InvalidInputException.For(nameof(RequestDecision.AllowedDuration), "Only the customer's approvers approve for less time than requested.");
            }

            return await DecideInternalAsync(principal, requestId, approve, comment, cancellationToken);
        }

        return await DecideCustomerAsync(principal, requestId, approve, comment, factor, cancellationToken, allowedDuration);
    }

    /// <summary>The provider's engineering manager approves or denies the internal stage.</summary>
    public async Task<AccessRequest> DecideInternalAsync(ClaimsPrincipal principal, Guid requestId, bool approve, string? comment, CancellationToken cancellationToken = default)
    {
        var (request, change) = await transactions.RunAsync(async db =>
        {
            var loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.DecideInternal, cancellationToken);
            var (user, tracked, _) = loaded;
            var policy = await db.Tenants.Where(t => t.Id == tracked.TenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
            await gate.ApplyAsync(loaded, approve ? "ApproveInternal" : "DenyInternal", () =>
            {
                if (approve)
                {
                    // The quorum is fixed now, so a later policy change does not move the goalposts for approvers.
                    tracked.ApproveInternal(user.Actor, comment, policy.RequiredApprovalsFor(tracked.Reason), time.GetUtcNow(), policy.EscalateAfter);
                }
                else
                {
                    tracked.DenyInternal(user.Actor, comment, time.GetUtcNow());
                }
            }, cancellationToken);

            await audit.AppendAsync(db, Record(
                approve ? AuditEventType.AccessRequest_InternalApproved : AuditEventType.AccessRequest_InternalDenied,
                user, tracked, new { tracked.Reference, Comment = tracked.Decisions[^1].Comment, tracked.RequiredApprovals, tracked.EscalatesAt }), cancellationToken);
            return (tracked, await notifier.RaiseAsync(db, tracked, approve ? RequestEventKind.InternalApproved : RequestEventKind.InternalDenied, user.Actor, cancellationToken));
        }, cancellationToken);

        await notifier.PublishAsync(change);
        return request;
    }

    /// <summary>
    /// A customer approver approves or rejects. They act for themselves when on the approver list, otherwise
    /// on behalf of an approver who delegated to them; each person's authority counts once. Where the tenant asks for a
    /// fresh factor, <paramref name="factor"/> carries it (the gate checks it).
    /// </summary>
    public async Task<AccessRequest> DecideCustomerAsync(
        ClaimsPrincipal principal, Guid requestId, bool approve, string? comment, FreshFactor? factor = null, CancellationToken cancellationToken = default,
        TimeSpan? allowedDuration = null)
    {
        if (!approve && allowedDuration is not null)
        {
            throw InvalidInputException.For(nameof(RequestDecision.AllowedDuration), "A duration goes with an approval, not a rejection.");
        }

        var (request, change, extendedChange) = await transactions.RunAsync(async db =>
        {
            var loaded = await gate.LoadForAsync(
                db, principal, requestId, RequestOperations.DecideCustomer, cancellationToken, factor, approve ? DecisionStatement.Approve : DecisionStatement.Reject,
                allowedDuration);
            var (user, tracked, authority) = loaded;
            var onBehalfOf = tracked.CountsFor(user.Actor, authority.OnApproverList, authority.Delegators);
            if (tracked.IsEmergency)
            {
                var (ratified, ratifiedChange) = await DecideEmergencyAsync(db, loaded, onBehalfOf, approve, comment, allowedDuration, cancellationToken);
                return (ratified, ratifiedChange, (RequestEvent?)null);
            }

            // Filing refuses a second request for a scope, but requests filed before that rule, or on a path around it,
            // must not open a second grant: the approval that would open one checks again.
            var held = approve && !tracked.IsExtension
                ? await GrantHeldOnAsync(db, tracked.TenantId, tracked.RequesterId, tracked.ParsedScope, time.GetUtcNow(), cancellationToken, except: tracked.Id)
                : null;
            await gate.ApplyAsync(loaded, approve ? "ApproveCustomer" : "RejectCustomer", () =>
            {
                if (approve)
                {
                    tracked.ApproveCustomer(user.Actor, onBehalfOf, comment, time.GetUtcNow(), allowedDuration, held);
                }
                else
                {
                    tracked.RejectCustomer(user.Actor, onBehalfOf, comment, time.GetUtcNow());
                }
            }, cancellationToken);

            var decision = tracked.Decisions[^1];
            await audit.AppendAsync(db, Record(
                approve ? AuditEventType.AccessRequest_CustomerApproved : AuditEventType.AccessRequest_CustomerRejected,
                user, tracked, new
                {
                    tracked.Reference,
                    decision.Comment,
                    AllowedDuration = decision.AllowedDuration?.ToString(),
                    ApprovalsSoFar = tracked.CustomerApprovals.Count,
                    tracked.RequiredApprovals,
                    loaded.FreshFactor,
                    Signature = loaded.KeepSignature(db),
                }, onBehalfOf), cancellationToken);
            var extended = tracked.Status == RequestStatus.Extended ? await ExtendGrantAsync(db, user, tracked, onBehalfOf, cancellationToken) : null;
            if (tracked.Status == RequestStatus.Approved)
            {
                await audit.AppendAsync(db, Record(AuditEventType.Grant_Opened, user, tracked, GrantOpenedDetails(tracked), onBehalfOf), cancellationToken);
            }

            return (tracked, await notifier.RaiseAsync(db, tracked, approve ? RequestEventKind.CustomerApproved : RequestEventKind.CustomerRejected, user.Actor, cancellationToken),
                extended);
        }, cancellationToken);

        await notifier.PublishAsync(change);
        if (extendedChange is not null)
        {
            await notifier.PublishAsync(extendedChange);
        }

        return request;
    }

    /// <summary>
    /// The extension reached its quorum: the grant it extends ends later, in the same transaction, audited on that request.
    /// A grant that is no longer running refuses, and the whole decision with it.
    /// </summary>
    private async Task<RequestEvent> ExtendGrantAsync(LockboxDbContext db, ActingUser user, AccessRequest extension, Actor? onBehalfOf, CancellationToken cancellationToken)
    {
        var original = await db.AccessRequests.SingleAsync(r => r.Id == extension.ExtendsRequestId, cancellationToken);
        var (policy, catalogueLimit) = await ExtensionLimitsAsync(db, original, cancellationToken);
        var before = original.ExtendGrant(extension, policy, time.GetUtcNow(), catalogueLimit);
        await audit.AppendAsync(db, Record(AuditEventType.Grant_Extended, user, original, new
        {
            original.Reference,
            ExtensionReference = extension.Reference,
            PreviousEnd = before,
            original.GrantEndsAt,
            Added = (original.GrantEndsAt!.Value - before).ToString(),
        }, onBehalfOf), cancellationToken);
        return await notifier.RaiseAsync(db, original, RequestEventKind.Extended, user.Actor, cancellationToken);
    }

    public async Task<AccessRequest> CancelAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken = default)
    {
        var (request, change) = await transactions.RunAsync(async db =>
        {
            var loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.Cancel, cancellationToken);
            var (user, tracked, _) = loaded;
            await gate.ApplyAsync(loaded, "Cancel", () => tracked.Cancel(user.Actor, time.GetUtcNow()), cancellationToken);
            await audit.AppendAsync(db, Record(AuditEventType.AccessRequest_Cancelled, user, tracked, new { tracked.Reference }), cancellationToken);
            return (tracked, await notifier.RaiseAsync(db, tracked, RequestEventKind.Cancelled, user.Actor, cancellationToken));
        }, cancellationToken);

        await notifier.PublishAsync(change);
        return request;
    }

    /// <summary>One request, or null when there is none or this person may not see it (the refused look is recorded).</summary>
    public async Task<RequestRow?> GetAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await gate.FindVisibleAsync(db, principal, requestId, cancellationToken) is not { Request: var request })
        {
            return null;
        }

        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == request.TenantId, cancellationToken);
        var questions = await QuestionsOfAsync(db, [request.Id], cancellationToken);
        return new RequestRow(request, tenant.Name, tenant.Policy.FreshFactorWindowRequired) { Questions = [.. questions[request.Id]] };
    }

    /// <summary>
    /// What this person may do to the request now, for the request page to offer: the gate's answer joined with the
    /// request's state. Offering is not allowing: each operation checks again when it runs.
    /// </summary>
    public async Task<RequestActions> ActionsAsync(ClaimsPrincipal principal, AccessRequest request, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        var open = request.ExpiresAt > time.GetUtcNow() && request.RequesterId != userId;
        var youApproved = request.ApprovedBy(userId);
        Task<bool> May(Microsoft.AspNetCore.Authorization.Infrastructure.OperationAuthorizationRequirement operation) =>
            gate.IsAllowedAsync(db, principal, request, operation, cancellationToken);

        return new RequestActions(
            DecideInternal: open && request.Status == RequestStatus.PendingInternal && await May(RequestOperations.DecideInternal),
            DecideCustomer: open && (request.Status == RequestStatus.PendingCustomer || request.Ratification == Ratification.Pending) && !youApproved
                && await May(RequestOperations.DecideCustomer),
            Cancel: request.Status.IsPending() && await May(RequestOperations.Cancel),
            Revoke: request.Status == RequestStatus.Approved && await May(RequestOperations.Revoke),
            Release: request.Status == RequestStatus.Approved && await May(RequestOperations.Release),
            YouApproved: youApproved)
        {
            ExtendUpTo = request.IsEmergency ? null : await ExtendUpToAsync(db, request, () => May(RequestOperations.Extend), cancellationToken),
            ReviewEmergency = request.AwaitsReview && await May(RequestOperations.ReviewEmergency),
        };
    }

    /// <summary>The most one extension may ask for now, when the grant is running, leaves room and this person may ask.</summary>
    private async Task<TimeSpan?> ExtendUpToAsync(LockboxDbContext db, AccessRequest request, Func<Task<bool>> may, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (request.Status != RequestStatus.Approved || request.IsScheduled(now) || !(request.GrantEndsAt > now) || !await may())
        {
            return null;
        }

        if (await db.AccessRequests.AnyAsync(r => r.ExtendsRequestId == request.Id && (r.Status == RequestStatus.PendingInternal || r.Status == RequestStatus.PendingCustomer) && r.ExpiresAt > now, cancellationToken))
        {
            // One at a time: the page shows the one waiting.
            return null;
        }

        var (policy, catalogueLimit) = await ExtensionLimitsAsync(db, request, cancellationToken);
        var most = request.MostExtension(policy, catalogueLimit);
        return most >= TenantPolicy.MinGrantDuration ? most : null;
    }

    /// <summary>
    /// The tenant's policy and, where it requires its scope catalogue, the longest the catalogue allows this grant in
    /// all: an extension is bounded by both when it is offered, filed and approved, so today's catalogue always counts.
    /// </summary>
    private static async Task<(TenantPolicy Policy, TimeSpan? CatalogueLimit)> ExtensionLimitsAsync(
        LockboxDbContext db, AccessRequest request, CancellationToken cancellationToken)
    {
        var policy = await db.Tenants.Where(t => t.Id == request.TenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
        if (!policy.RequireCatalogue)
        {
            return (policy, null);
        }

        var entries = await db.ScopeCatalogueEntries.AsNoTracking().Where(e => e.TenantId == request.TenantId).ToListAsync(cancellationToken);
        return (policy, ScopeCatalogue.Longest(entries, request.ParsedScope, request.AccessLevel));
    }

    /// <summary>The engineer's own requests, newest first.</summary>
    public async Task<IReadOnlyList<RequestRow>> ListMineAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.ListMine, cancellationToken);
        var query = db.AccessRequests.Where(r => r.RequesterId == user.UserId).OrderByDescending(r => r.CreatedAt);
        return await ToRowsAsync(db, query.Take(200), cancellationToken);
    }

    /// <summary>
    /// Every request this person may see (the same rule as <see cref="RequestOperations.View"/>): an engineer their own,
    /// a manager all, tenant admins and officers their tenants'. Newest first, a page at a time.
    /// </summary>
    public async Task<(IReadOnlyList<RequestRow> Rows, int Total)> ListVisibleAsync(
        ClaimsPrincipal principal, RequestListFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.ListVisible, cancellationToken);
        var query = db.AccessRequests.Where(RequestVisibility.VisibleTo(RequestViewer.Of(user)));

        if (filter.Status is { } status)
        {
            query = query.Where(r => r.Status == status);
        }

        if (filter.TenantId is { } tenantId)
        {
            query = query.Where(r => r.TenantId == tenantId);
        }

        if (filter.CreatedAfter is { } after)
        {
            query = query.Where(r => r.CreatedAt > after);
        }

        if (filter.CreatedBefore is { } before)
        {
            query = query.Where(r => r.CreatedAt < before);
        }

        if (filter.Search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
            query = query.Where(r => r.Reference.ToLower().Contains(term) || r.RequesterName.ToLower().Contains(term)
                || r.Scope.ToLower().Contains(term) || (r.TicketReference != null && r.TicketReference.ToLower().Contains(term)));
        }

        var total = await query.CountAsync(cancellationToken);
        var page = Sorted(query, filter.Sort).Skip(filter.Skip).Take(filter.Take);
        return (await ToRowsAsync(db, page, cancellationToken), total);
    }

    /// <summary>The tenants of the requests this person may see, by name, for a list's tenant filter.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> ListVisibleTenantsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.ListVisible, cancellationToken);
        var ids = await db.AccessRequests.Where(RequestVisibility.VisibleTo(RequestViewer.Of(user))).Select(r => r.TenantId).Distinct().ToListAsync(cancellationToken);
        var tenants = await db.Tenants.Where(t => ids.Contains(t.Id)).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        return tenants.OrderBy(t => t.Name, StringComparer.CurrentCulture).Select(t => (t.Id, t.Name)).ToList();
    }

    private static IQueryable<AccessRequest> Sorted(IQueryable<AccessRequest> query, RequestSort sort) => sort switch
    {
        RequestSort.Oldest => query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id),
        RequestSort.Reference => query.OrderBy(r => r.Reference).ThenBy(r => r.Id),
        RequestSort.Deadline => query.OrderBy(r => r.ExpiresAt).ThenBy(r => r.Id),
        RequestSort.PendingFirst => query
            .OrderBy(r => r.Status == RequestStatus.PendingInternal || r.Status == RequestStatus.PendingCustomer ? 0 : 1)
            .ThenByDescending(r => r.CreatedAt).ThenBy(r => r.Id),
        _ => query.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id),
    };

    /// <summary>Requests awaiting the provider's own approval, soonest deadline first; never the manager's own.</summary>
    public async Task<IReadOnlyList<RequestRow>> ListInternalQueueAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.ListInternalQueue, cancellationToken);
        var now = time.GetUtcNow();
        var query = db.AccessRequests
            .Where(r => r.Status == RequestStatus.PendingInternal && r.ExpiresAt > now && r.RequesterId != user.UserId)
            .OrderBy(r => r.ExpiresAt);
        return await ToRowsAsync(db, query, cancellationToken);
    }

    /// <summary>
    /// Requests awaiting the customer stage in every tenant where this person may decide (or only in
    /// <paramref name="tenantId"/>, when they may decide there), soonest deadline first. Someone who is no TenantAdmin
    /// anywhere is refused (recorded) and shown an empty queue, as for a role just lowered.
    /// </summary>
    /// <param name="fromStorage">
    /// The caller may have missed events (a page that reconnected): its rows are read from storage, not from the
    /// answer the tenant's queues share.
    /// </param>
    public async Task<IReadOnlyList<RequestRow>> ListCustomerQueueAsync(
        ClaimsPrincipal principal, Guid? tenantId = null, bool fromStorage = false, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await gate.PermittedAsync(db, principal, RequestCollectionOperations.ListCustomerQueue, cancellationToken) is not { } user)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var (tenants, escalation) = await DecidableTenantsAsync(db, user, cancellationToken);

        // The filter narrows what the rules allow, never widens it: a tenant where this person may not decide shows nothing.
        if (tenantId is { } only)
        {
            tenants = tenants.Where(t => t == only).ToList();
            escalation = escalation.Where(t => t == only).ToList();
        }

        // The rows are each tenant's shared answer (PendingRows); which of them this person sees is decided here.
        var shown = new List<RequestRow>();
        foreach (var tenant in tenants.Union(escalation))
        {
            var rows = await pendingRows.OfAsync(tenant, fromStorage, id => ToRowsAsync(
                db, db.AccessRequests.Where(r => r.TenantId == id && (r.Status == RequestStatus.PendingCustomer || r.Ratification == Ratification.Pending) && r.ExpiresAt > now),
                cancellationToken));
            shown.AddRange(rows.Where(row => row.Request is var r
                && r.ExpiresAt > now && r.RequesterId != user.UserId
                && (r.Status == RequestStatus.PendingCustomer && (tenants.Contains(r.TenantId) || escalation.Contains(r.TenantId) && r.EscalatedAt != null)
                    || r.Ratification == Ratification.Pending && tenants.Contains(r.TenantId))));
        }

        return shown.OrderBy(row => row.Request.ExpiresAt).ThenBy(row => row.Request.Id).ToList();
    }

    /// <summary>The tenants whose requests the customer queue may show this person, by name, for the queue's tenant filter.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> ListDecidableTenantsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await gate.PermittedAsync(db, principal, RequestCollectionOperations.ListCustomerQueue, cancellationToken) is not { } user)
        {
            return [];
        }

        var (tenants, escalation) = await DecidableTenantsAsync(db, user, cancellationToken);
        var ids = tenants.Union(escalation).ToList();
        var named = await db.Tenants.Where(t => ids.Contains(t.Id)).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        return named.OrderBy(t => t.Name, StringComparer.CurrentCulture).Select(t => (t.Id, t.Name)).ToList();
    }

    /// <summary>
    /// Where this person may decide: on the approver list (or a delegate), and where they may decide escalated requests.
    /// Escalation approvers see a tenant's requests once they were escalated, not before.
    /// </summary>
    private async Task<(IReadOnlyList<Guid> Tenants, IReadOnlyList<Guid> Escalation)> DecidableTenantsAsync(
        LockboxDbContext db, ActingUser user, CancellationToken cancellationToken) =>
        (await gate.TenantsWhereAsync(db, user, RequestAuthorizationHandler.MayDecideIn, cancellationToken),
            await gate.TenantsWhereEscalationDeciderAsync(db, user, cancellationToken));

    /// <summary>The active tenants an engineer may file for.</summary>
    public async Task<IReadOnlyList<FileableTenant>> ListFileableTenantsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.ListFileableTenants, cancellationToken);
        var tenants = await db.Tenants.AsNoTracking().Where(t => t.IsActive).OrderBy(t => t.Name).ToListAsync(cancellationToken);
        var enforced = tenants.Where(t => t.Policy.RequireCatalogue).Select(t => t.Id).ToList();
        var catalogues = (await db.ScopeCatalogueEntries.AsNoTracking().Where(e => enforced.Contains(e.TenantId)).ToListAsync(cancellationToken))
            .ToLookup(e => e.TenantId);
        var health = await Approvers.QuorumHealth.ForAsync(db, tenants, time.GetUtcNow(), cancellationToken);
        return tenants
            .Select(t =>
            {
                var reasons = (RequestReasons.All & ~t.Policy.RefusedReasons).Members().ToList();
                return new FileableTenant(t.Id, t.Name, t.ShortName, t.Policy.DefaultGrantDuration, t.Policy.MaxGrantDuration, t.Policy.RequireTicketReference)
                {
                    Reasons = reasons,
                    Catalogue = t.Policy.RequireCatalogue ? catalogues[t.Id].OrderBy(e => e.Pattern, StringComparer.Ordinal).ToList() : null,
                    QuorumUnmetFor = reasons.Where(r => !health[t.Id].CanMeet(t.Policy.RequiredApprovalsFor(r))).ToList(),
                };
            })
            .ToList();
    }

    private async Task<bool> IsInternalStageAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var request = await db.AccessRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is { IsEmergency: true })
        {
            // An emergency has no provider stage: its only decision is the customer's ratification.
            return false;
        }

        return request?.Status switch
        {
            RequestStatus.PendingInternal => true,

            // No request: the customer-stage decision answers "not found" like any other.
            null => false,

            // A manager who is not also a customer approver here came late to the internal stage: the state machine
            // tells them "already decided" (rule 6) instead of a refused customer decision.
            RequestStatus.PendingCustomer => await gate.IsAllowedAsync(db, principal, request, RequestOperations.DecideInternal, cancellationToken)
                && !await gate.IsAllowedAsync(db, principal, request, RequestOperations.DecideCustomer, cancellationToken),
            _ => await gate.IsAllowedAsync(db, principal, request, RequestOperations.DecideInternal, cancellationToken),
        };
    }

    /// <summary>
    /// One engineer holds at most one grant on a scope in a tenant: an approved request of theirs, running or scheduled,
    /// whose scope covers this one or lies beneath it. A second request for it is an extension instead. Filings and
    /// grant openings for one engineer in one tenant take turns, so two at once cannot both find none.
    /// </summary>
    /// <param name="except">The request being approved: once another approver's decision opened its grant, that grant is
    /// its own, not a second one, and the state machine answers "already decided".</param>
    private async Task<AccessRequest?> GrantHeldOnAsync(
        LockboxDbContext db, Guid tenantId, string engineerId, ResourceScope scope, DateTimeOffset now, CancellationToken cancellationToken, Guid? except = null)
    {
        await database.SerializeAsync(db, $"engineer-scopes:{tenantId}:{engineerId}", cancellationToken);
        var held = await db.AccessRequests.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.RequesterId == engineerId && r.Status == RequestStatus.Approved && r.GrantEndsAt > now && r.Id != except)
            .ToListAsync(cancellationToken);
        return held.FirstOrDefault(r => ResourceScope.TryParse(r.Scope, out var granted, out _) && (granted.Covers(scope) || scope.Covers(granted)));
    }

    /// <summary>
    /// What the tenant's scope rules say of a filing or declaration for <paramref name="scope"/>: outside its required
    /// catalogue (at this level and duration), or overlapping a grant the engineer already holds there. Returns the
    /// longest the catalogue allows this scope and level, when the tenant requires it.
    /// </summary>
    private async Task<TimeSpan?> AddScopeProblemsAsync(
        LockboxDbContext db, Tenant tenant, string engineerId, ResourceScope scope, AccessLevel level, TimeSpan duration, DateTimeOffset now,
        Dictionary<string, string[]> errors, Func<AccessRequest, string> heldMessage, CancellationToken cancellationToken)
    {
        TimeSpan? longest = null;
        if (tenant.Policy.RequireCatalogue)
        {
            var catalogue = await db.ScopeCatalogueEntries.AsNoTracking().Where(e => e.TenantId == tenant.Id).ToListAsync(cancellationToken);
            foreach (var (field, messages) in ScopeCatalogue.Problems(catalogue, scope, level, duration))
            {
                errors.TryAdd(field, messages);
            }

            longest = ScopeCatalogue.Longest(catalogue, scope, level);
        }

        if (await GrantHeldOnAsync(db, tenant.Id, engineerId, scope, now, cancellationToken) is { } held)
        {
            errors[nameof(AccessRequest.Scope)] = [heldMessage(held)];
        }

        return longest;
    }

    /// <summary>What the trail records of a filing, a request's or an extension's (which names the grant it extends).</summary>
    private static object FiledDetails(AccessRequest filed) => new
    {
        filed.Reference,
        filed.ExtendsReference,
        filed.Scope,
        AccessLevel = filed.AccessLevel.ToString(),
        filed.Justification,
        filed.TicketReference,
        Reason = filed.Reason.ToString(),
        RequestedDuration = filed.RequestedDuration.ToString(),
        filed.StartsAt,
        filed.ExpiresAt,
    };

    private static AuditRecord Record(AuditEventType type, ActingUser user, AccessRequest request, object details, Actor? onBehalfOf = null) =>
        new(type, user.Actor, request.TenantId, Subject, request.Id.ToString(), AuditRecord.Details(details), onBehalfOf, user.Client);

    /// <summary>
    /// The year's next number, one more than the highest stored: unique (the index refuses a second one) and gap-free
    /// (a rolled-back filing takes no number), with filers on several nodes taking turns for the year's counter.
    /// </summary>
    private static async Task<string> NextReferenceAsync(LockboxDbContext db, IDatabaseProvider database, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var prefix = $"LBX-{now.UtcDateTime.Year}-";
        await database.SerializeAsync(db, $"request-references:{prefix}", cancellationToken);
        var last = await db.AccessRequests
            .Where(r => r.Reference.StartsWith(prefix))
            .OrderByDescending(r => r.Reference)
            .Select(r => r.Reference)
            .FirstOrDefaultAsync(cancellationToken);
        var number = last is null ? 1 : int.Parse(last[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture) + 1;
        return $"{prefix}{number:D6}";
    }

    private static async Task<IReadOnlyList<RequestRow>> ToRowsAsync(LockboxDbContext db, IQueryable<AccessRequest> query, CancellationToken cancellationToken)
    {
        var requests = await query.AsNoTracking().Include(r => r.Decisions).ToListAsync(cancellationToken);
        var tenantIds = requests.Select(r => r.TenantId).Distinct().ToList();
        var tenants = await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
        var questions = await QuestionsOfAsync(db, requests.Select(r => r.Id).ToList(), cancellationToken);
        return requests.Select(r => new RequestRow(r, tenants[r.TenantId].Name, tenants[r.TenantId].Policy.FreshFactorWindowRequired) { Questions = [.. questions[r.Id]] }).ToList();
    }
}
