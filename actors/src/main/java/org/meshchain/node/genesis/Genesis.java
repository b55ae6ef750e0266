package org.meshchain.node.genesis;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.VoteData;
import org.meshchain.merkle.InMemoryNodeStore;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;

/**
 * The genesis of a chain: chain id, genesis time, the validators' public keys and the funded accounts.
 * Every node derives from it, deterministically, the same genesis block (height 0, round 0, no
 * transactions, justified by the all-zero certificate), the same genesis state (one
 * {@code AccountState} per funded account) and so the same genesis QC (ADR 0003).
 *
 * <p>File format (JSON, written by {@code meshchain genesis create}):
 * <pre>{"chain-id": "...", "genesis-time-ms": 1763690000000,
 *  "validators": ["&lt;ed25519 public key hex&gt;", ...],
 *  "accounts": [{"address": "&lt;address hex&gt;", "balance": 1000000}, ...]}</pre>
 */
public record Genesis(ChainId chainId, long genesisTimeMs, List<Ed25519PublicKey> validatorKeys, Map<Address, Long> accounts) {

    public static final int MAX_FILE_BYTES = 4 << 20;
    public static final int MAX_VALIDATORS = 256;
    public static final int MAX_ACCOUNTS = 100_000;

    public Genesis {
        Objects.requireNonNull(chainId, "chainId");
        validatorKeys = List.copyOf(validatorKeys);
        accounts = java.util.Collections.unmodifiableMap(new TreeMap<>(accounts));
        require(genesisTimeMs >= 0, "genesis-time-ms", genesisTimeMs, "must not be negative");
        require(!validatorKeys.isEmpty() && validatorKeys.size() <= MAX_VALIDATORS, "validators", validatorKeys.size(),
                "must list 1.." + MAX_VALIDATORS + " public keys");
        require(accounts.size() <= MAX_ACCOUNTS, "accounts", accounts.size(), "at most " + MAX_ACCOUNTS);
        for (Ed25519PublicKey key : validatorKeys) {
            require(Ed25519.isValidPublicKey(key), "validators", key.toHex(), "must be a valid Ed25519 public key");
        }
        for (Map.Entry<Address, Long> account : accounts.entrySet()) {
            require(account.getValue() >= 0, "accounts." + account.getKey().toHex() + ".balance", account.getValue(),
                    "must not be negative");
        }
        new ValidatorSet(validatorKeys); // rejects duplicates
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new GenesisException("genesis " + key + " = " + value + ": " + rule);
        }
    }

    public ValidatorSet validatorSet() {
        return new ValidatorSet(validatorKeys);
    }

    /** The state writes of genesis, sorted by path (as the state tree requires). */
    public List<SmtUpdate> stateUpdates() {
        // the execution engine's genesis helper, so genesis state has one definition
        List<org.meshchain.node.execution.GenesisState.Allocation> allocations = new ArrayList<>();
        for (Map.Entry<Address, Long> account : accounts.entrySet()) {
            allocations.add(new org.meshchain.node.execution.GenesisState.Allocation(account.getKey(), account.getValue()));
        }
        return org.meshchain.node.execution.GenesisState.updates(allocations);
    }

    /** The state root after genesis (computed in memory; the store must arrive at the same root). */
    public Hash32 stateRoot() {
        return new SparseMerkleTree(new InMemoryNodeStore()).apply(0, stateUpdates()).root();
    }

    public Block block() {
        QuorumCertificate none = new QuorumCertificate(new VoteData(Hash32.ZERO, 0, 0, Hash32.ZERO, Hash32.ZERO), List.of());
        BlockHeader header = new BlockHeader(chainId, 0, 0, Hash32.ZERO, genesisTimeMs, new Address(Hash32.ZERO),
                TxRoot.ofIds(List.of()), none, null);
        return new Block(header, List.of());
    }

    // ------------------------------------------------------------------ file

    public static Genesis read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new GenesisException("genesis file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GenesisException("cannot read genesis file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static Genesis parse(String json, String origin) {
        Config c;
        try {
            c = ConfigFactory.parseString(json, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON).setOriginDescription(origin));
        } catch (ConfigException e) {
            throw new GenesisException("genesis " + origin + " is not valid JSON: " + e.getMessage());
        }
        try {
            ChainId chainId = new ChainId(c.getString("chain-id"));
            long time = c.getLong("genesis-time-ms");
            List<Ed25519PublicKey> keys = new ArrayList<>();
            for (String hex : c.getStringList("validators")) {
                try {
                    keys.add(Ed25519PublicKey.fromHex(hex));
                } catch (IllegalArgumentException e) {
                    throw new GenesisException("genesis validators = " + hex + ": must be 64 hex digits of a public key");
                }
            }
            Map<Address, Long> accounts = new TreeMap<>();
            for (Config account : c.getConfigList("accounts")) {
                String hex = account.getString("address");
                Address address;
                try {
                    address = Address.fromHex(hex);
                } catch (IllegalArgumentException e) {
                    throw new GenesisException("genesis accounts.address = " + hex + ": must be 64 hex digits");
                }
                if (accounts.put(address, account.getLong("balance")) != null) {
                    throw new GenesisException("genesis accounts.address = " + hex + ": listed twice");
                }
            }
            return new Genesis(chainId, time, keys, accounts);
        } catch (ConfigException e) {
            throw new GenesisException("genesis " + origin + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new GenesisException("genesis " + origin + ": " + e.getMessage());
        }
    }

    public String toJson() {
        StringBuilder out = new StringBuilder();
        out.append("{\n  \"chain-id\": \"").append(chainId.value()).append("\",\n");
        out.append("  \"genesis-time-ms\": ").append(genesisTimeMs).append(",\n");
        out.append("  \"validators\": [");
        for (int i = 0; i < validatorKeys.size(); i++) {
            out.append(i == 0 ? "\n    \"" : ",\n    \"").append(validatorKeys.get(i).toHex()).append('"');
        }
        out.append("\n  ],\n  \"accounts\": [");
        int i = 0;
        for (Map.Entry<Address, Long> account : accounts.entrySet()) {
            out.append(i++ == 0 ? "\n    " : ",\n    ").append("{\"address\": \"").append(account.getKey().toHex())
                    .append("\", \"balance\": ").append(account.getValue()).append('}');
        }
        out.append("\n  ]\n}\n");
        return out.toString();
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    /** A genesis file that cannot be used; the message names the key, the value and the rule. */
    public static final class GenesisException extends RuntimeException {
        public GenesisException(String message) {
            super(message);
        }
    }
}
