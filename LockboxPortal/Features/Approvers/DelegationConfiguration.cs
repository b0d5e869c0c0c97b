using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Approvers;

internal sealed class DelegationConfiguration : IEntityTypeConfiguration<Delegation>
{
    public void Configure(EntityTypeBuilder<Delegation> delegation)
    {
        delegation.Property(d => d.Id).ValueGeneratedNever();
        delegation.Property(d => d.DelegatorId).HasMaxLength(450);
        delegation.Property(d => d.DelegatorName).HasMaxLength(200);
        delegation.Property(d => d.DelegateId).HasMaxLength(450);
        delegation.Property(d => d.DelegateName).HasMaxLength(200);
        delegation.Property(d => d.Reason).HasMaxLength(Delegation.ReasonMaxLength);
        delegation.Property(d => d.CreatedById).HasMaxLength(450);
        delegation.Property(d => d.CreatedByName).HasMaxLength(200);
        delegation.Property(d => d.RevokedById).HasMaxLength(450);
        delegation.Property(d => d.RevokedByName).HasMaxLength(200);
        delegation.Property(d => d.Version).IsConcurrencyToken();
        delegation.Ignore(d => d.Delegator);
        delegation.Ignore(d => d.Delegate);
        delegation.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
        delegation.HasOne<PortalUser>().WithMany().HasForeignKey(d => d.DelegatorId).OnDelete(DeleteBehavior.Cascade);
        delegation.HasOne<PortalUser>().WithMany().HasForeignKey(d => d.DelegateId).OnDelete(DeleteBehavior.Cascade);
        delegation.HasIndex(d => new { d.TenantId, d.DelegateId, d.EndsAt });
        delegation.HasIndex(d => new { d.TenantId, d.DelegatorId, d.EndsAt });
        delegation.HasIndex(d => new { d.EndRecordedAt, d.EndsAt });
    }
}
