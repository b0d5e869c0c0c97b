using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests.Signing;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>A request loaded for an operation, with the person acting and their customer-stage authority now.</summary>
public sealed record GatedRequest(ActingUser User, AccessRequest Request, ApprovalAuthority Authority)
{
    /// <summary>How this operation's fresh factor was proven, for the trail; null when the tenant asked for none.</summary>
    public string? FreshFactor { get; init; }

    /// <summary>When a passkey proved it: the statement it signed and the verified assertion, kept with the decision.</summary>
    public (DecisionStatement Statement, PasskeyProof Proof)? Signed { get; init; }

    /// <summary>
    /// Keeps a passkey's signature with the decision, in the same transaction, and returns what the decision's trail
    /// entry carries of it (so an export verifies offline); null when the decision was not signed.
    /// </summary>
    public object? KeepSignature(LockboxDbContext db)
    {
        if (Signed is not var (statement, proof))
        {
            return null;
        }

        var signed = SignedDecision.Record(statement, proof);
        db.SignedDecisions.Add(signed);
        return signed.ToDetails(statement);
    }
}

/// <summary>
/// How the request and grant services reach one request: load the person, the request and the person's authority over
/// it from storage, then pass the <see cref="OperationGate"/>, which authorizes and records a refusal. Refusals by the
/// state machine that matter to the trail (separation of duties, a late decision) are recorded through the same gate.
/// </summary>
public sealed class RequestGate(OperationGate gate, TimeProvider time)
{
    public const string Subject = "AccessRequest";

    /// <summary>
    /// The request, tracked for a change; <see cref="NotFoundException"/> or <see cref="ForbiddenException"/> when refused.
    /// A passkey in <paramref name="factor"/> must sign the statement of <paramref name="outcome"/> on this request as
    /// stored (<see cref="DecisionStatement"/>), for <paramref name="allowedDuration"/> when an approver shortens the
    /// grant, so an assertion made for another decision (or another duration) is refused.
    /// </summary>
    public async Task<GatedRequest> LoadForAsync(
        LockboxDbContext db, ClaimsPrincipal principal, Guid requestId, OperationAuthorizationRequirement operation, CancellationToken cancellationToken,
        FreshFactor? factor = null, string? outcome = null, TimeSpan? allowedDuration = null)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var request = await db.AccessRequests.Include(r => r.Decisions).SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken)
            ?? throw new NotFoundException();
        var resource = await ResourceAsync(db, user, request, cancellationToken);
        await gate.EnsureAsync(principal, resource, operation, cancellationToken);
        FreshFactorResult? proven = null;
        DecisionStatement? statement = null;
        if (operation == RequestOperations.DecideCustomer || operation == RequestOperations.Revoke)
        {
            var policy = await db.Tenants.Where(t => t.Id == request.TenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
            if (factor is { PasskeyAssertion: not null, SignedAt: { } signedAt } && outcome is not null)
            {
                statement = DecisionStatement.For(request, outcome, user.UserId, signedAt, allowedDuration);
                factor = factor with { Challenge = statement.Challenge() };
            }
            else if (factor is not null)
            {
                factor = factor with { Challenge = null };
            }

            proven = await gate.EnsureSecondFactorAsync(db, principal, resource, operation.Name, policy, factor, cancellationToken);
        }

        return new GatedRequest(user, request, resource.Authority)
        {
            FreshFactor = proven?.Method,
            Signed = proven?.Passkey is { } proof && statement is not null ? (statement, proof) : null,
        };
    }

    /// <summary>The request for reading, or null when there is none or this person may not see it (a refusal is recorded).</summary>
    public async Task<GatedRequest?> FindVisibleAsync(LockboxDbContext db, ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var request = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null)
        {
            return null;
        }

        var resource = await ResourceAsync(db, user, request, cancellationToken);
        return await gate.AllowsOrRecordsAsync(principal, resource, RequestOperations.View, cancellationToken)
            ? new GatedRequest(user, request, resource.Authority)
            : null;
    }

    /// <summary>
    /// The person acting, once the gate allowed an operation on the requests as a whole (filing for
    /// <paramref name="tenantId"/>, a queue, a list); <see cref="ForbiddenException"/> when refused.
    /// </summary>
    public async Task<ActingUser> AuthorizeAsync(
        LockboxDbContext db, ClaimsPrincipal principal, OperationAuthorizationRequirement operation, CancellationToken cancellationToken, Guid? tenantId = null)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, new RequestCollectionResource(user, tenantId), operation, cancellationToken);
        return user;
    }

    /// <summary>As <see cref="AuthorizeAsync"/>, for a list whose refusal is answered with an empty list: null when refused (and recorded).</summary>
    public async Task<ActingUser?> PermittedAsync(LockboxDbContext db, ClaimsPrincipal principal, OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        return await gate.AllowsOrRecordsAsync(principal, new RequestCollectionResource(user), operation, cancellationToken) ? user : null;
    }

    /// <summary>Is this operation open to the person now? Only to choose between operations; performing one goes through <see cref="LoadForAsync"/>.</summary>
    public async Task<bool> IsAllowedAsync(LockboxDbContext db, ClaimsPrincipal principal, AccessRequest request, OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        return await gate.IsAllowedAsync(principal, await ResourceAsync(db, user, request, cancellationToken), operation);
    }

    /// <summary>
    /// The tenants of this person where <paramref name="rule"/> (one of <see cref="RequestAuthorizationHandler"/>'s)
    /// holds with their authority there now: which tenants' rows a queue or list shows.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> TenantsWhereAsync(
        LockboxDbContext db, ActingUser user, Func<ActingUser, Guid, ApprovalAuthority, bool> rule, CancellationToken cancellationToken)
    {
        var tenants = new List<Guid>();
        foreach (var tenantId in user.Memberships.Tenants)
        {
            if (rule(user, tenantId, await ApprovalAuthorities.ForAsync(db, user, tenantId, time.GetUtcNow(), cancellationToken)))
            {
                tenants.Add(tenantId);
            }
        }

        return tenants;
    }

    /// <summary>The tenants where this person may decide escalated requests (on the escalation list, or its delegate).</summary>
    public async Task<IReadOnlyList<Guid>> TenantsWhereEscalationDeciderAsync(LockboxDbContext db, ActingUser user, CancellationToken cancellationToken)
    {
        var tenants = new List<Guid>();
        foreach (var tenantId in user.Memberships.Tenants)
        {
            if ((await ApprovalAuthorities.ForEscalationAsync(db, user, tenantId, time.GetUtcNow(), cancellationToken)).CanDecide)
            {
                tenants.Add(tenantId);
            }
        }

        return tenants;
    }

    /// <summary>Records a filing (or declaration) for <paramref name="tenantId"/> that a rule refused, after it rolled back.</summary>
    public Task RecordRefusalAsync(ActingUser user, Guid tenantId, string operation, string code, CancellationToken cancellationToken) =>
        gate.RecordRefusalAsync(new RequestCollectionResource(user, tenantId), operation, code, cancellationToken);

    /// <summary>Applies a state change; separation-of-duties, counting-twice and late attempts that the state machine refuses are recorded.</summary>
    public async Task ApplyAsync(GatedRequest loaded, string operation, Action change, CancellationToken cancellationToken)
    {
        try
        {
            change();
        }
        catch (LockboxRuleException ex) when (ex is SelfApprovalException or DeadlinePassedException or AlreadyCountedException or GrantAlreadyHeldException or RatificationClosedException)
        {
            await gate.RecordRefusalAsync(new RequestResource(loaded.Request, loaded.User, loaded.Authority), operation, ex.Code, cancellationToken);
            throw;
        }
    }

    private async Task<RequestResource> ResourceAsync(LockboxDbContext db, ActingUser user, AccessRequest request, CancellationToken cancellationToken) =>
        new(request, user, await ApprovalAuthorities.ForRequestAsync(db, user, request, time.GetUtcNow(), cancellationToken));
}
