using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.ApiTokens;

internal sealed class GrantSigningKeyConfiguration : IEntityTypeConfiguration<GrantSigningKey>
{
    public void Configure(EntityTypeBuilder<GrantSigningKey> key)
    {
        key.Property(k => k.Id).HasMaxLength(64);
        key.Property(k => k.PublicX).HasMaxLength(64);
        key.Property(k => k.PublicY).HasMaxLength(64);
        key.Property(k => k.ProtectedPrivateKey).HasMaxLength(2000);
    }
}
