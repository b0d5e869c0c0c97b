using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Approvers;

internal sealed class ApproverListEntryConfiguration : IEntityTypeConfiguration<ApproverListEntry>
{
    public void Configure(EntityTypeBuilder<ApproverListEntry> entry)
    {
        entry.HasIndex(e => new { e.TenantId, e.UserId }).IsUnique();
        entry.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<PortalUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
