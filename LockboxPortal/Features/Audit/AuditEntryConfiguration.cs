using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Audit;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        // The unique sequence per chain is what stops two concurrent writers from forking a chain:
        // the second insert of the same number fails and its operation is retried on the new head.
        entry.HasIndex(e => new { e.ChainId, e.Sequence }).IsUnique();
        entry.HasIndex(e => new { e.ChainId, e.OccurredAt });
        entry.HasIndex(e => new { e.SubjectType, e.SubjectId });
        entry.Property(e => e.EventType).HasConversion<string>().HasMaxLength(60);
        entry.Property(e => e.ActorId).HasMaxLength(450);
        entry.Property(e => e.ActorName).HasMaxLength(200);
        entry.Property(e => e.SubjectType).HasMaxLength(60);
        entry.Property(e => e.SubjectId).HasMaxLength(200);
        entry.Property(e => e.ClientAddress).HasMaxLength(64);
        entry.Property(e => e.UserAgent).HasMaxLength(512);
        entry.Property(e => e.PreviousHash).HasMaxLength(64);
        entry.Property(e => e.Hash).HasMaxLength(64);
    }
}
