using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Approvers;

internal sealed class PolicyChangeConfiguration : IEntityTypeConfiguration<PolicyChange>
{
    public void Configure(EntityTypeBuilder<PolicyChange> change)
    {
        change.Property(c => c.Id).ValueGeneratedNever();
        change.Property(c => c.ProposedById).HasMaxLength(450);
        change.Property(c => c.ProposedByName).HasMaxLength(200);
        change.Property(c => c.Title).HasMaxLength(PolicyChange.TitleMaxLength);
        change.Property(c => c.BaseFingerprint).HasMaxLength(64);
        change.Property(c => c.DecidedById).HasMaxLength(450);
        change.Property(c => c.DecidedByName).HasMaxLength(200);
        change.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        change.Property(c => c.Version).IsConcurrencyToken();
        change.Ignore(c => c.ProposedBy);
        change.Ignore(c => c.DecidedBy);
        change.Ignore(c => c.Change);
        change.Ignore(c => c.Lines);
        change.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        change.HasIndex(c => new { c.TenantId, c.Status, c.ExpiresAt });
    }
}
