using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;

namespace LockboxPortal.Features.Grants;

/// <summary>
/// Ends at once what an offboarding leaves open (a deactivated tenant; an engineer deactivated or no longer an
/// Engineer, DESIGN.md rule 10): each pending request expires and each active grant ends, audited in its tenant's
/// chain with the reason, inside the caller's transaction. The caller publishes the returned events once it has
/// committed.
/// </summary>
public sealed class OpenRequestCloser(AuditWriter audit, RequestNotifier notifier)
{
    /// <summary>The states an offboarding closes.</summary>
    public static IQueryable<AccessRequest> Open(IQueryable<AccessRequest> requests) =>
        requests.Where(r => r.Status == RequestStatus.PendingInternal || r.Status == RequestStatus.PendingCustomer || r.Status == RequestStatus.Approved);

    public async Task<IReadOnlyList<RequestEvent>> CloseAsync(
        LockboxDbContext db, IReadOnlyList<AccessRequest> open, ActingUser user, Action<AccessRequest> close, CancellationToken cancellationToken)
    {
        var events = new List<RequestEvent>(open.Count);
        foreach (var request in open)
        {
            close(request);
            var revoked = request.Status == RequestStatus.Revoked;
            events.Add(await notifier.RaiseAsync(db, request, revoked ? RequestEventKind.Revoked : RequestEventKind.Expired, user.Actor, cancellationToken));
            await audit.AppendAsync(db, new AuditRecord(
                revoked ? AuditEventType.Grant_Revoked : AuditEventType.AccessRequest_Expired,
                user.Actor, request.TenantId, RequestGate.Subject, request.Id.ToString(),
                AuditRecord.Details(new { request.Reference, Reason = request.ClosedReason, request.GrantEndsAt }), Client: user.Client), cancellationToken);
        }

        return events;
    }
}
