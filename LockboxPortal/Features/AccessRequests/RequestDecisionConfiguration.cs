using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.AccessRequests;

internal sealed class RequestDecisionConfiguration : IEntityTypeConfiguration<RequestDecision>
{
    public void Configure(EntityTypeBuilder<RequestDecision> decision)
    {
        // The entity sets its own id and decisions reach the context through AccessRequest.Decisions.
        // With a store-generated key, EF would take such a new decision with its id already set for an
        // existing row and UPDATE it (0 rows, a concurrency failure) instead of inserting it.
        decision.Property(d => d.Id).ValueGeneratedNever();
        decision.Property(d => d.DeciderId).HasMaxLength(450);
        decision.Property(d => d.DeciderName).HasMaxLength(200);
        decision.Property(d => d.OnBehalfOfId).HasMaxLength(450);
        decision.Property(d => d.OnBehalfOfName).HasMaxLength(200);
        decision.Property(d => d.Comment).HasMaxLength(AccessRequest.CommentMaxLength);
        decision.Ignore(d => d.PeopleCounted);
    }
}
