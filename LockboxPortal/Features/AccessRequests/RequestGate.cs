using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>A request loaded for an operation, with the person acting and their customer-stage authority now.</summary>
public sealed record GatedRequest(ActingUser User, AccessRequest Request, ApprovalAuthority Authority);

/// <summary>
/// The one way services reach a request to change it: load the person and the request from storage, authorize the
/// operation on the standard pipeline, and record every refused attempt — permission, separation of duties, a late
/// decision — in the trail of the request's tenant.
/// </summary>
public sealed class RequestGate(IAuthorizationService authorization, AuditWriter audit, TimeProvider time)
{
    public const string Subject = "AccessRequest";

    public async Task<GatedRequest> LoadForAsync(
        LockboxDbContext db, ClaimsPrincipal principal, Guid requestId, OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
        var request = await db.AccessRequests.Include(r => r.Decisions).SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken)
            ?? throw new NotFoundException();
        var authority = await ApprovalAuthorities.ForAsync(db, user, request.TenantId, time.GetUtcNow(), cancellationToken);
        var resource = new RequestResource(request, user, authority);

        // Someone who may not even see the request learns nothing about it, not even that it exists.
        if (!await IsAllowedAsync(principal, resource, RequestOperations.View))
        {
            await RecordRefusalAsync(user, request, operation.Name, "forbidden", cancellationToken);
            throw new NotFoundException();
        }

        if (!await IsAllowedAsync(principal, resource, operation))
        {
            await RecordRefusalAsync(user, request, operation.Name, "forbidden", cancellationToken);
            throw new ForbiddenException();
        }

        return new GatedRequest(user, request, authority);
    }

    public async Task<bool> IsAllowedAsync(ClaimsPrincipal principal, RequestResource resource, OperationAuthorizationRequirement operation) =>
        (await authorization.AuthorizeAsync(principal, resource, operation)).Succeeded;

    /// <summary>Applies a state change; separation-of-duties and late attempts that the state machine refuses are recorded.</summary>
    public async Task ApplyAsync(ActingUser user, AccessRequest request, string operation, Action change, CancellationToken cancellationToken)
    {
        try
        {
            change();
        }
        catch (LockboxRuleException ex) when (ex is SelfApprovalException or DeadlinePassedException)
        {
            await RecordRefusalAsync(user, request, operation, ex.Code, cancellationToken);
            throw;
        }
    }

    public Task RecordRefusalAsync(ActingUser user, AccessRequest request, string operation, string reason, CancellationToken cancellationToken) =>
        audit.RecordRefusalAsync(user.Actor, request.TenantId, Subject, request.Id.ToString(), operation, reason, user.Client, cancellationToken);

    /// <summary>A refusal before any request is involved, e.g. filing without the Engineer role.</summary>
    public async Task<ForbiddenException> RefuseAsync(ActingUser user, string operation, Guid? tenantId, CancellationToken cancellationToken)
    {
        await audit.RecordRefusalAsync(user.Actor, tenantId, Subject, "", operation, "forbidden", user.Client, cancellationToken);
        return new ForbiddenException();
    }
}
