"""Encrypts values with the Python library itself (yamlpyconfig 0.1.10 on gmssl), for the tests.

    python encrypt.py '<json request>'

The request: {"plaintexts": [...], "sm4_key": b64 | null, "sm4_iv": b64 | null, "sm2_private_key": b64 | null}
(null: a fresh key from the library's own generate_keys). Prints JSON: the keys used and, per
algorithm, the ciphertexts in the order of the plaintexts, as `{encrypted}` values would hold them.
"""
import json
import sys

from yamlpyconfig.utils.crypto.impl.SM2Algorithm import SM2Algorithm
from yamlpyconfig.utils.crypto.impl.SM4Algorithm import SM4Algorithm
from yamlpyconfig.utils.crypto.impl.SM4AlgorithmHex import SM4AlgorithmHex

request = json.loads(sys.argv[1])
plaintexts = request["plaintexts"]
fresh_sm4 = SM4Algorithm.generate_keys()
sm4_key = request.get("sm4_key") or fresh_sm4["key"]
sm4_iv = request.get("sm4_iv") or fresh_sm4["iv"]
sm2_private = request.get("sm2_private_key") or SM2Algorithm.generate_keys()["private_key"]

ecb = SM4Algorithm(sm4_key)
cbc = SM4Algorithm(sm4_key, mode="CBC", iv_b64=sm4_iv)
hex_ecb = SM4AlgorithmHex(sm4_key)
sm2 = SM2Algorithm(sm2_private)

result = {
    "sm4_key": sm4_key,
    "sm4_iv": sm4_iv,
    "sm2_private_key": sm2_private,
    "sm4_ecb": [ecb.encrypt(p) for p in plaintexts],
    "sm4_cbc": [cbc.encrypt(p) for p in plaintexts],
    "sm4_hex": [hex_ecb.encrypt(p) for p in plaintexts],
    "sm2": [sm2.encrypt(p) for p in plaintexts],
}
# The library must read back what it wrote, or the fixture would test nothing.
for name, algorithm in (("sm4_ecb", ecb), ("sm4_cbc", cbc), ("sm4_hex", hex_ecb), ("sm2", sm2)):
    assert [algorithm.decrypt(c) for c in result[name]] == plaintexts, name
print(json.dumps(result))
