using LockboxPortal.Features.AccessRequests;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Transparency;

internal sealed class GrantActivityConfiguration : IEntityTypeConfiguration<GrantActivity>
{
    public void Configure(EntityTypeBuilder<GrantActivity> activity)
    {
        activity.Property(a => a.Id).ValueGeneratedNever();
        activity.Property(a => a.ClientId).HasMaxLength(100);
        activity.Property(a => a.ClientName).HasMaxLength(GrantActivity.ClientNameMaxLength);
        activity.Property(a => a.Action).HasMaxLength(GrantActivity.ActionMaxLength);
        activity.Property(a => a.Resource).HasMaxLength(ResourceScope.MaxLength);
        activity.HasOne<AccessRequest>().WithMany().HasForeignKey(a => a.RequestId).OnDelete(DeleteBehavior.Cascade);
        activity.HasIndex(a => new { a.RequestId, a.OccurredAt });
    }
}

internal sealed class GrantCheckMinuteConfiguration : IEntityTypeConfiguration<GrantCheckMinute>
{
    public void Configure(EntityTypeBuilder<GrantCheckMinute> minute)
    {
        minute.Property(m => m.Id).ValueGeneratedNever();
        minute.Property(m => m.Version).IsConcurrencyToken();
        minute.HasOne<AccessRequest>().WithMany().HasForeignKey(m => m.RequestId).OnDelete(DeleteBehavior.Cascade);

        // One row per grant and minute: two nodes inserting the same minute at once, the second runs again and adds to it.
        minute.HasIndex(m => new { m.RequestId, m.Minute }).IsUnique();
    }
}
