"""Functions that Excel 2010 knows, and the formulas of a workbook package.

Many provincial PCs run Office 2010–2016: a formula the tool writes may use only functions on
this list. A function newer than Excel 2007 is stored with the ``_xlfn.`` prefix (TEXTJOIN,
IFS, CONCAT, MAXIFS, IFNA, …) and shows #NAME? in an older Excel; such names are not on the list.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

EXCEL_2010_FUNCTIONS = frozenset("""
ABS ACCRINT ACCRINTM ACOS ACOSH ADDRESS AGGREGATE AMORDEGRC AMORLINC AND AREAS ASIN ASINH ATAN ATAN2 ATANH
AVEDEV AVERAGE AVERAGEA AVERAGEIF AVERAGEIFS BAHTTEXT BESSELI BESSELJ BESSELK BESSELY BETADIST BETAINV BIN2DEC
BIN2HEX BIN2OCT BINOMDIST CEILING CELL CHAR CHIDIST CHIINV CHITEST CHOOSE CLEAN CODE COLUMN COLUMNS COMBIN
COMPLEX CONCATENATE CONFIDENCE CONVERT CORREL COS COSH COUNT COUNTA COUNTBLANK COUNTIF COUNTIFS COUPDAYBS
COUPDAYS COUPDAYSNC COUPNCD COUPNUM COUPPCD COVAR CRITBINOM CUMIPMT CUMPRINC DATE DATEDIF DATEVALUE DAVERAGE
DAY DAYS360 DB DCOUNT DCOUNTA DDB DEC2BIN DEC2HEX DEC2OCT DEGREES DELTA DEVSQ DGET DISC DMAX DMIN DOLLAR
DOLLARDE DOLLARFR DPRODUCT DSTDEV DSTDEVP DSUM DURATION DVAR DVARP EDATE EFFECT EOMONTH ERF ERFC ERROR.TYPE
EVEN EXACT EXP EXPONDIST FACT FACTDOUBLE FALSE FDIST FIND FINV FISHER FISHERINV FIXED FLOOR FORECAST FREQUENCY
FTEST FV FVSCHEDULE GAMMADIST GAMMAINV GAMMALN GCD GEOMEAN GESTEP GROWTH HARMEAN HEX2BIN HEX2DEC HEX2OCT
HLOOKUP HOUR HYPERLINK HYPGEOMDIST IF IFERROR IMABS IMAGINARY IMARGUMENT IMCONJUGATE IMCOS IMDIV IMEXP IMLN
IMLOG10 IMLOG2 IMPOWER IMPRODUCT IMREAL IMSIN IMSQRT IMSUB IMSUM INDEX INDIRECT INFO INT INTERCEPT INTRATE IPMT
IRR ISBLANK ISERR ISERROR ISEVEN ISLOGICAL ISNA ISNONTEXT ISNUMBER ISODD ISPMT ISREF ISTEXT KURT LARGE LCM LEFT
LEN LINEST LN LOG LOG10 LOGEST LOGINV LOGNORMDIST LOOKUP LOWER MATCH MAX MAXA MDETERM MDURATION MEDIAN MID MIN
MINA MINUTE MINVERSE MIRR MMULT MOD MODE MONTH MROUND MULTINOMIAL N NA NEGBINOMDIST NETWORKDAYS NOMINAL NORMDIST
NORMINV NORMSDIST NORMSINV NOT NOW NPER NPV OCT2BIN OCT2DEC OCT2HEX ODD ODDFPRICE ODDFYIELD ODDLPRICE ODDLYIELD
OFFSET OR PEARSON PERCENTILE PERCENTRANK PERMUT PHONETIC PI PMT POISSON POWER PPMT PRICE PRICEDISC PRICEMAT PROB
PRODUCT PROPER PV QUARTILE QUOTIENT RADIANS RAND RANDBETWEEN RANK RATE RECEIVED REPLACE REPT RIGHT ROMAN ROUND
ROUNDDOWN ROUNDUP ROW ROWS RSQ RTD SEARCH SECOND SERIESSUM SIGN SIN SINH SKEW SLN SLOPE SMALL SQRT SQRTPI
STANDARDIZE STDEV STDEVA STDEVP STDEVPA STEYX SUBSTITUTE SUBTOTAL SUM SUMIF SUMIFS SUMPRODUCT SUMSQ SUMX2MY2
SUMX2PY2 SUMXMY2 SYD T TAN TANH TBILLEQ TBILLPRICE TBILLYIELD TDIST TEXT TIME TIMEVALUE TINV TODAY TRANSPOSE TREND
TRIM TRIMMEAN TRUE TRUNC TTEST TYPE UPPER VALUE VAR VARA VARP VARPA VDB VLOOKUP WEEKDAY WEEKNUM WEIBULL WORKDAY
XIRR XNPV YEAR YEARFRAC YIELD YIELDDISC YIELDMAT ZTEST
""".split())

_STRING = re.compile(r'"(?:[^"]|"")*"')
_QUOTED_SHEET = re.compile(r"'(?:[^']|'')*'!")
_FUNCTION = re.compile(r"((?:_xlfn\.|_xlws\.)?[A-Za-z][A-Za-z0-9._]*)\s*\(")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def functions_in(formula: str) -> set[str]:
    """Function names called in ``formula`` (text in quotes and sheet names left out)."""
    bare = _QUOTED_SHEET.sub("S!", _STRING.sub('""', formula))
    return {m.group(1).upper() for m in _FUNCTION.finditer(bare)}


def formulas_of(path: Path) -> Iterator[tuple[str, str]]:
    """(part, formula) for every cell formula, conditional format, data validation and defined
    name of the package at ``path``."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith(".xml") or not name.startswith("xl/"):
                continue
            if not (name.startswith("xl/worksheets/") or name == "xl/workbook.xml"):
                continue
            root = etree.fromstring(z.read(name))
            for tag in ("f", "formula", "formula1", "formula2", "definedName"):
                for el in root.iter(f"{_MAIN}{tag}"):
                    if el.text:
                        yield name, el.text
            for el in root.iter("{http://schemas.microsoft.com/office/excel/2006/main}f"):
                if el.text:
                    yield name, el.text


def newer_than_excel_2010(path: Path) -> list[tuple[str, str, str]]:
    """(part, function, formula) for each call of a function Excel 2010 does not know."""
    return [(part, fn, formula) for part, formula in formulas_of(path)
            for fn in sorted(functions_in(formula) - EXCEL_2010_FUNCTIONS)]
