using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Tenants;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> tenant)
    {
        tenant.Property(t => t.Name).HasMaxLength(200);
        tenant.Property(t => t.ShortName).HasMaxLength(40);
        tenant.HasIndex(t => t.ShortName).IsUnique();
        tenant.HasIndex(t => t.EntraTenantId).IsUnique();
        tenant.ComplexProperty(t => t.Policy);
    }
}
