using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Features.Approvers;

/// <summary>A deactivated person neither holds nor lends approval authority: their delegations end with them.</summary>
public sealed class DeactivatedPersonDelegations(AuditWriter audit, IOutboundMessages outbound, TimeProvider time) : IPersonDeactivationParticipant
{
    public Task OnDeactivatingAsync(LockboxDbContext db, PortalUser person, ActingUser actor, CancellationToken cancellationToken) =>
        DelegationService.RevokeOpenDelegationsAsync(
            db, audit, outbound, actor, d => d.DelegatorId == person.Id || d.DelegateId == person.Id,
            "The person was deactivated.", time.GetUtcNow(), cancellationToken);
}
